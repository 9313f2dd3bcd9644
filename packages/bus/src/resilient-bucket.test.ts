import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { errors as natsErrors } from "@nats-io/transport-node";
import type { JetStreamClient } from "@nats-io/jetstream";
import { BUCKETS } from "@corral/protocol";
import { busConfigFor, startNatsCluster, startSystem, type TestSystem } from "@corral/testing";
import { connectBus, openResilientBucket, openTypedBucket, readLeaders, type Bus } from "./index.js";
import { resilientBucket } from "./resilient-bucket.js";
import { typedBucket } from "./bucket.js";

let system: TestSystem;
let bus: Bus;

beforeAll(async () => {
  system = await startSystem("resilient-bucket-test");
  bus = system.bus;
});

afterAll(async () => {
  await system.stop();
});

const Value = z.object({ holder: z.string(), n: z.number() });
const open = () => openResilientBucket(bus, BUCKETS.tasks, Value, { deadlineMs: 10_000 });

test("guarded writes keep their meaning: create once, replace and delete only at the current revision", async () => {
  const bucket = await open();
  const first = await bucket.create("k1", { holder: "a", n: 1 });
  expect(first).toBeGreaterThan(0);
  expect(await bucket.create("k1", { holder: "b", n: 1 })).toBeNull();
  const second = await bucket.replace("k1", { holder: "a", n: 2 }, first!);
  expect(second).toBeGreaterThan(first!);
  expect(await bucket.replace("k1", { holder: "b", n: 3 }, first!)).toBeNull();
  expect(await bucket.delete("k1", first!)).toBe(false);
  expect(await bucket.delete("k1", second!)).toBe(true);
  expect(await bucket.get("k1")).toBeNull();
  // A deleted key is free again, over its marker.
  const again = await bucket.create("k1", { holder: "c", n: 4 });
  expect(again).toBeGreaterThan(second!);
  expect((await bucket.update("k1", (v) => ({ ...v, n: v.n + 1 })))?.value).toEqual({ holder: "c", n: 5 });
  await expect(bucket.put("k1", { holder: 7 } as never)).rejects.toMatchObject({ code: "INTERNAL" });
  expect((await bucket.get("k1"))?.value).toEqual({ holder: "c", n: 5 });
});

/** A JetStream client whose first publish lands but loses its answer, as in a leader election. */
function losingFirstAnswer(js: JetStreamClient): { js: JetStreamClient; publishes: () => number } {
  let publishes = 0;
  const wrapped = new Proxy(js, {
    get(target, prop, receiver) {
      if (prop !== "publish") return Reflect.get(target, prop, receiver);
      return async (...args: Parameters<JetStreamClient["publish"]>) => {
        const ack = await target.publish(...args);
        if (++publishes === 1) throw new natsErrors.TimeoutError();
        return ack;
      };
    },
  });
  return { js: wrapped, publishes: () => publishes };
}

test("a guarded write whose answer was lost is sent again and recognised, not taken for a conflict", async () => {
  const steady = await openTypedBucket(bus, BUCKETS.tasks, Value);
  const revision = await steady.put("k2", { holder: "a", n: 1 });
  const raw = await bus.attempt.kvm.open(BUCKETS.tasks, { allow_direct: false });
  const { js, publishes } = losingFirstAnswer(bus.attempt.js);
  const bucket = resilientBucket({
    name: BUCKETS.tasks,
    schema: Value,
    js,
    raw,
    quick: typedBucket(raw, BUCKETS.tasks, Value),
    steady,
    retry: { deadlineMs: 10_000, initialDelayMs: 1, maxDelayMs: 5 },
  });
  const renewed = await bucket.replace("k2", { holder: "a", n: 2 }, revision);
  expect(publishes()).toBe(2);
  expect(renewed).toBe(revision + 1);
  expect(await steady.get("k2")).toEqual({ value: { holder: "a", n: 2 }, revision: revision + 1 });
});

test("on a cluster, calls made while the bucket's leader is killed complete once a new one is elected", async () => {
  const cluster = await startNatsCluster(3);
  const admin = await connectBus({ ...busConfigFor(cluster.url, "admin", "resilient-cluster"), replicas: 3 });
  try {
    const bucket = await openResilientBucket(admin, BUCKETS.leases, Value, { deadlineMs: 60_000 });
    let revision = (await bucket.create("lease", { holder: "a", n: 0 }))!;
    const [leaders] = await readLeaders(admin, [`KV_${BUCKETS.leases}`]);
    const leader = Number(leaders!.leader!.slice(1)) - 1;
    const restart = cluster.restart(leader, 3_000);
    // Renewals at the unchanged revision through the election: each lands exactly once, in order.
    for (let n = 1; n <= 8; n++) {
      const next = await bucket.replace("lease", { holder: "a", n }, revision);
      expect(next).not.toBeNull();
      revision = next!;
    }
    await restart;
    expect((await bucket.get("lease"))?.value).toEqual({ holder: "a", n: 8 });
  } finally {
    await admin.close();
    await cluster.stop();
  }
});
