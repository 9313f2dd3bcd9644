import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { BUCKETS, STREAMS } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, ensureStreams, openTypedBucket, setReplicas, type Bus } from "./index.js";

let server: NatsServer;
let one: Bus;
let three: Bus;

beforeAll(async () => {
  server = await startNatsServer();
  one = await connectBus(busConfigFor(server.url, "admin", "r1"));
  three = await connectBus({ ...busConfigFor(server.url, "admin", "r3"), replicas: 3 });
});

afterAll(async () => {
  await one.close();
  await three.close();
  await server.stop();
});

test("a stream or bucket kept at other replicas than the setting is a clear error, never silently kept", async () => {
  await ensureStreams(one);
  await expect(ensureStreams(three)).rejects.toThrow(
    `stream ${STREAMS.sessions} has 1 replica(s) but CORRAL_REPLICAS is 3: run \`corral nats-replicas 3\``,
  );
  await openTypedBucket(one, BUCKETS.leases, z.unknown());
  await expect(openTypedBucket(three, BUCKETS.leases, z.unknown())).rejects.toThrow(
    `stream KV_${BUCKETS.leases} has 1 replica(s) but CORRAL_REPLICAS is 3`,
  );
  // The config is as it was: the R1 client still opens it.
  await expect(openTypedBucket(one, BUCKETS.leases, z.unknown())).resolves.toBeDefined();
});

test("moving to the replicas a deployment already has changes nothing", async () => {
  expect(await setReplicas(one, 1)).toEqual([]);
});
