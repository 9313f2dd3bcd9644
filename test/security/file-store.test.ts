import { afterAll, beforeAll, expect, test } from "vitest";
import {
  connectBus,
  openObjectStore,
  openTypedBucket,
  probeOperation,
  probePublish,
  type Bus,
  type NatsUser,
} from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { BUCKETS, OBJECT_STORES } from "@corral/protocol";
import { z } from "zod";

/**
 * Uploaded files' bytes and records belong to the gateway: with users and permissions on, as `corral up`
 * runs NATS, no other service can put, overwrite, delete or purge a file, or forge its record.
 */
let nats: NatsServer;
const buses = new Map<NatsUser, Bus>();
const as = (user: NatsUser) => buses.get(user)!;
const OTHERS = ["session-store", "harness", "credential-proxy", "sandbox-manager", "tasks"] as const;
const store = OBJECT_STORES.files;

beforeAll(async () => {
  nats = await startNatsServer({ auth: true });
  for (const user of ["gateway", ...OTHERS] as const)
    buses.set(user, await connectBus(busConfigFor(nats.url, user)));
  // The owner creates the store and the bucket first, as it does when the stack starts.
  const objects = await openObjectStore(as("gateway"), store);
  await objects.put("file_existing", new Blob(["bytes"]).stream());
  await openTypedBucket(as("gateway"), BUCKETS.files, z.unknown());
});

afterAll(async () => {
  for (const bus of buses.values()) await bus.close();
  await nats?.stop();
});

test("the gateway may write, read and remove files' bytes and records", async () => {
  const objects = await openObjectStore(as("gateway"), store);
  await objects.put("file_mine", new Blob(["mine"]).stream());
  expect(await new Response(await objects.get("file_mine")).text()).toBe("mine");
  expect(await objects.delete("file_mine")).toBe(true);
  expect(await probePublish(as("gateway"), `$KV.${BUCKETS.files}.file_x`)).toBe("allowed");
});

test.each(OTHERS)("%s may not put, overwrite, delete or purge a file, or forge its record", async (user) => {
  const bus = as(user);
  expect(await probePublish(bus, `$O.${store}.C.forged`)).toBe("denied");
  expect(await probePublish(bus, `$O.${store}.M.forged`)).toBe("denied");
  expect(await probePublish(bus, `$JS.API.STREAM.PURGE.OBJ_${store}`)).toBe("denied");
  expect(await probePublish(bus, `$JS.API.STREAM.DELETE.OBJ_${store}`)).toBe("denied");
  expect(await probePublish(bus, `$JS.API.STREAM.UPDATE.OBJ_${store}`)).toBe("denied");
  expect(await probePublish(bus, `$KV.${BUCKETS.files}.file_forged`)).toBe("denied");
  // The sandbox-manager reads files' bytes to mount file resources in sandboxes (a read-only grant).
  const reader = user === "sandbox-manager";
  expect(await probeOperation(() => openObjectStore(bus, store))).toBe(reader ? "allowed" : "denied");
  // What every user may do still works, so a probe that always said "denied" would fail here.
  expect(await probePublish(bus, "$JS.API.INFO")).toBe("allowed");
});

test("the sandbox-manager reads a file's bytes but cannot put or delete one", async () => {
  const objects = await openObjectStore(as("sandbox-manager"), store);
  expect(await new Response(await objects.get("file_existing")).text()).toBe("bytes");
  expect(await probeOperation(() => objects.put("file_forged", new Blob(["x"]).stream()))).toBe("denied");
  expect(await probeOperation(() => objects.delete("file_existing"))).toBe("denied");
});

test("the bytes a refused writer tried to put are not in the store", async () => {
  const objects = await openObjectStore(as("gateway"), store);
  expect((await objects.list()).map((o) => o.key)).toEqual(["file_existing"]);
});
