import { expect, test } from "vitest";
import { serialRuns } from "./serial-runs.js";

function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

test("callers arriving during a run share the one next run; it starts after the current one ends", async () => {
  const gates = [gate(), gate(), gate()];
  const started: number[] = [];
  let runs = 0;
  const next = serialRuns(async () => {
    const n = runs++;
    started.push(n);
    await gates[n]!.opened;
    return n;
  });
  const first = next();
  await Promise.resolve();
  const asks = Array.from({ length: 50 }, () => next());
  await new Promise((resolve) => setTimeout(resolve, 10));
  expect(started).toEqual([0]);
  gates[0]!.open();
  expect(await first).toBe(0);
  gates[1]!.open();
  expect(new Set(await Promise.all(asks))).toEqual(new Set([1]));
  // Once the shared run has started, a new caller gets a run of its own after it.
  const later = next();
  gates[2]!.open();
  expect(await later).toBe(2);
  expect(runs).toBe(3);
});

test("a failed run fails its callers only; the next run still happens", async () => {
  let calls = 0;
  const next = serialRuns(async () => {
    calls++;
    if (calls === 1) throw new Error("boom");
    return calls;
  });
  await expect(next()).rejects.toThrow("boom");
  expect(await next()).toBe(2);
});
