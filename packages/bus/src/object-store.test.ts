import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { OBJECT_STORES } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, openObjectStore, type Bus, type ObjectStore } from "./index.js";

let server: NatsServer;
let bus: Bus;
let store: ObjectStore;
const stream = `OBJ_${OBJECT_STORES.files}`;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "object-store-test"));
  store = await openObjectStore(bus, OBJECT_STORES.files);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

const messages = async () => (await bus.jsm.streams.info(stream)).state.messages;

/** A stream that yields `bytes` and then fails, as an upload cut off mid-body does. */
function failingAfter(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error("client gone"));
      sent = true;
      controller.enqueue(bytes);
    },
  });
}

test("an object of several chunks comes back byte for byte, and delete leaves no message behind", async () => {
  const bytes = randomBytes(600_000);
  const before = await messages();
  const stored = await store.put("file_roundtrip", new Blob([bytes]).stream());
  expect(stored.size).toBe(bytes.length);
  expect((await store.list()).map((o) => o.key)).toContain("file_roundtrip");
  const read = await store.get("file_roundtrip");
  expect(Buffer.from(await new Response(read).arrayBuffer()).equals(bytes)).toBe(true);
  expect(await store.delete("file_roundtrip")).toBe(true);
  expect(await store.get("file_roundtrip")).toBeNull();
  expect(await messages()).toBe(before);
});

test("a put whose stream fails stores nothing: no object, no chunk", async () => {
  const before = await messages();
  await expect(store.put("file_cut", failingAfter(randomBytes(300_000)))).rejects.toThrow("client gone");
  expect(await store.get("file_cut")).toBeNull();
  expect(await messages()).toBe(before);
});

test("an empty object reads as no bytes", async () => {
  await store.put("file_empty", new Blob([]).stream());
  expect((await new Response(await store.get("file_empty")).arrayBuffer()).byteLength).toBe(0);
  await store.delete("file_empty");
});

test("stray chunks (a put that never finished) are purged only once older than asked", async () => {
  const before = await messages();
  await bus.js.publish(`$O.${OBJECT_STORES.files}.C.straynuid`, randomBytes(1000));
  await store.put("file_kept", new Blob(["kept"]).stream());
  expect(await store.purgeStrayChunks(new Date(Date.now() - 60_000))).toBe(0);
  expect(await store.purgeStrayChunks(new Date(Date.now() + 60_000))).toBe(1);
  expect(await new Response(await store.get("file_kept")).text()).toBe("kept");
  await store.delete("file_kept");
  expect(await messages()).toBe(before);
});

test("the store is created with the deployment's replicas, and a store kept at others is a clear error", async () => {
  expect((await bus.jsm.streams.info(stream)).config.num_replicas).toBe(1);
  const three = await connectBus({ ...busConfigFor(server.url, "admin", "object-store-r3"), replicas: 3 });
  try {
    await expect(openObjectStore(three, OBJECT_STORES.files)).rejects.toThrow(
      `stream ${stream} has 1 replica(s) but CORRAL_REPLICAS is 3`,
    );
  } finally {
    await three.close();
  }
});
