import { afterAll, beforeAll, expect, test } from "vitest";
import { freePort, waitFor } from "@corral/testing";
import { eventsUntil, isIdle, newSession, say, send, startBrainStack, type BrainStack } from "./testing.js";

// An idle session costs the harness nothing: once a session is at rest, the harness holds no NATS
// subscription and no timer for it. Subscriptions are counted by nats-server itself (its monitoring
// endpoint, `connz?subs=1`, for the harness's connection); timers by Node (active `Timeout` resources of
// this process, which runs the store, the harness and the client).

let stack: BrainStack;
let monitor: string;

beforeAll(async () => {
  const port = await freePort();
  monitor = `http://127.0.0.1:${port}`;
  stack = await startBrainStack({ concurrency: 64 }, undefined, { extraArgs: ["-m", String(port)] });
  stack.model.setFallback({ type: "message", content: [{ type: "text", text: "done" }] });
});

afterAll(() => stack?.close());

/** The harness connection's subscriptions, as nats-server counts them. */
async function harnessSubscriptions(): Promise<number> {
  const connz = (await (await fetch(`${monitor}/connz?subs=1`)).json()) as {
    connections: { name?: string; subscriptions: number }[];
  };
  const mine = connz.connections.filter((c) => c.name === "harness");
  expect(mine).toHaveLength(1);
  return mine[0]!.subscriptions;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

/** Sessions taken through one turn to idle, all at once. */
async function runToIdle(count: number): Promise<void> {
  const ids = await Promise.all(Array.from({ length: count }, () => newSession(stack.bus)));
  await Promise.all(ids.map((sid) => send(stack.bus, sid, say("hi"))));
  await Promise.all(ids.map((sid) => eventsUntil(stack.bus, sid, isIdle)));
}

test("sessions at rest leave no subscription and no timer behind in the harness", async () => {
  await runToIdle(2); // warm: the harness's own long-lived consumers and watches are all in place
  await new Promise((resolve) => setTimeout(resolve, 500)); // its runs end just after their idle event
  const baseline = { subs: await harnessSubscriptions(), timers: timers() };
  await runToIdle(40);
  // Settled, not timed: each count must come back down to where it was before the sessions ran.
  const after = await waitFor(
    async () => {
      const now = { subs: await harnessSubscriptions(), timers: timers() };
      return now.subs <= baseline.subs && now.timers <= baseline.timers && now;
    },
    { timeoutMs: 15_000 },
  ).catch(async () => ({ subs: await harnessSubscriptions(), timers: timers() }));
  expect(after.subs).toBeLessThanOrEqual(baseline.subs);
  expect(after.timers).toBeLessThanOrEqual(baseline.timers);
});
