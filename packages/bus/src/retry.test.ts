import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { CorralError, defineRpc } from "@corral/protocol";
import { startSystem, type TestSystem } from "@corral/testing";
import { backoffMs, request, retrying, serve, type Bus } from "./index.js";

let system: TestSystem;
let bus: Bus;

const Ping = defineRpc("test.retry.ping", z.object({}), z.object({ pong: z.boolean() }));

beforeAll(async () => {
  system = await startSystem("retry-test");
  bus = system.bus;
});

afterAll(async () => {
  await system.stop();
});

const failing = (code: CorralError["code"], times: number) => {
  let calls = 0;
  const fn = async () => {
    calls++;
    if (calls <= times) throw new CorralError(code, `attempt ${calls} failed`);
    return "done";
  };
  return { fn, calls: () => calls };
};

test("retryable failures are retried until the call succeeds", async () => {
  const { fn, calls } = failing("UNAVAILABLE", 3);
  await expect(retrying(fn, { deadlineMs: 5000, initialDelayMs: 1 })).resolves.toBe("done");
  expect(calls()).toBe(4);
});

test("a failure that is not retryable is thrown at once", async () => {
  const notFound = failing("NOT_FOUND", 5);
  await expect(retrying(notFound.fn, { deadlineMs: 5000, initialDelayMs: 1 })).rejects.toMatchObject({
    code: "NOT_FOUND",
  });
  expect(notFound.calls()).toBe(1);
  let plain = 0;
  const thrown = retrying(
    async () => {
      plain++;
      throw new Error("not a CorralError");
    },
    { deadlineMs: 5000, initialDelayMs: 1 },
  );
  await expect(thrown).rejects.toThrow("not a CorralError");
  expect(plain).toBe(1);
});

test("once the deadline has passed the last retryable error is thrown", async () => {
  const { fn, calls } = failing("TIMEOUT", Number.POSITIVE_INFINITY);
  await expect(retrying(fn, { deadlineMs: 300, initialDelayMs: 20, maxDelayMs: 50 })).rejects.toMatchObject({
    code: "TIMEOUT",
  });
  expect(calls()).toBeGreaterThan(3);
});

test("an abort stops the waiting with the last error", async () => {
  const { fn } = failing("UNAVAILABLE", Number.POSITIVE_INFINITY);
  const abort = new AbortController();
  const retries: number[] = [];
  const pending = retrying(fn, {
    deadlineMs: Number.POSITIVE_INFINITY,
    signal: abort.signal,
    initialDelayMs: 10_000,
    onRetry: (_error, attempt) => retries.push(attempt),
  });
  setTimeout(() => abort.abort(), 50);
  await expect(pending).rejects.toMatchObject({ code: "UNAVAILABLE" });
  expect(retries).toEqual([1]);
});

test("the backoff doubles, is capped, and is jittered within half of the capped delay", () => {
  for (let i = 0; i < 50; i++) {
    const first = backoffMs(1, 100, 5000);
    expect(first).toBeGreaterThanOrEqual(50);
    expect(first).toBeLessThanOrEqual(100);
    const fourth = backoffMs(4, 100, 5000);
    expect(fourth).toBeGreaterThanOrEqual(400);
    expect(fourth).toBeLessThanOrEqual(800);
    const late = backoffMs(40, 100, 5000);
    expect(late).toBeGreaterThanOrEqual(2500);
    expect(late).toBeLessThanOrEqual(5000);
  }
});

test("a request nobody answers yet succeeds once a service starts serving it", async () => {
  let attempts = 0;
  const answered = retrying(
    (attempt) => {
      attempts = attempt;
      return request(bus, Ping, {}, { timeoutMs: 500 });
    },
    { deadlineMs: 10_000, initialDelayMs: 20, maxDelayMs: 100 },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sub = serve(bus, Ping, async () => ({ pong: true }));
  await expect(answered).resolves.toEqual({ pong: true });
  expect(attempts).toBeGreaterThan(1);
  sub.unsubscribe();
});
