import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { errors as natsErrors } from "@nats-io/transport-node";
import { BUCKETS } from "@corral/protocol";
import { startSystem, type TestSystem } from "@corral/testing";
import { openTypedBucket, retryingBucket, type Bucket, type Bus } from "./index.js";

let system: TestSystem;
let bus: Bus;

beforeAll(async () => {
  system = await startSystem("retrying-bucket-test");
  bus = system.bus;
});

afterAll(async () => {
  await system.stop();
});

const noResponders = () =>
  Object.assign(new Error("jetstream is not enabled"), { name: "JetStreamNotEnabled" });

/** A bucket whose calls fail with `failure()` the first `times` times, then answer. */
function flaky(times: number, failure: () => Error) {
  let calls = 0;
  const fail = async <T>(value: T): Promise<T> => {
    if (++calls <= times) throw failure();
    return value;
  };
  const bucket = {
    name: BUCKETS.tasks,
    get: () => fail({ value: "v", revision: 1 }),
    create: () => fail(1),
    put: () => fail(1),
  } as unknown as Bucket<string>;
  return { bucket, calls: () => calls };
}

const quick = { deadlineMs: 2_000, initialDelayMs: 1, maxDelayMs: 5 };

test("a read is retried while JetStream does not answer, then succeeds", async () => {
  const { bucket, calls } = flaky(3, noResponders);
  expect(await retryingBucket(bucket, quick).get("k")).toEqual({ value: "v", revision: 1 });
  expect(calls()).toBe(4);
});

test("a timed-out write is retried when repeating it is harmless", async () => {
  const { bucket, calls } = flaky(2, () => new natsErrors.TimeoutError());
  expect(await retryingBucket(bucket, quick).put("k", "v")).toBe(1);
  expect(calls()).toBe(3);
});

test("a timed-out create is not repeated: it may have been applied", async () => {
  const { bucket, calls } = flaky(1, () => new natsErrors.TimeoutError());
  await expect(retryingBucket(bucket, quick).create("k", "v")).rejects.toMatchObject({
    code: "TIMEOUT",
    retryable: false,
  });
  expect(calls()).toBe(1);
});

test("a create that never reached JetStream is retried", async () => {
  const { bucket, calls } = flaky(2, noResponders);
  expect(await retryingBucket(bucket, quick).create("k", "v")).toBe(1);
  expect(calls()).toBe(3);
});

test("other errors are thrown at once, as they are", async () => {
  const { bucket, calls } = flaky(1, () => new Error("boom"));
  await expect(retryingBucket(bucket, quick).get("k")).rejects.toThrow("boom");
  expect(calls()).toBe(1);
});

test("a bucket call made while nats-server restarts waits for it instead of failing", async () => {
  const bucket = retryingBucket(await openTypedBucket(bus, BUCKETS.tasks, z.string()), {
    deadlineMs: 30_000,
  });
  await bucket.put("before", "kept");
  const restarting = system.nats.restart();
  const read = bucket.get("before");
  await restarting;
  expect((await read)?.value).toBe("kept");
  expect(await bucket.put("after", "written")).toBeGreaterThan(0);
});
