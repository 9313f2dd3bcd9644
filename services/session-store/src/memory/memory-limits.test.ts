import { beforeAll, expect, test } from "vitest";
import { MEMORY_RPC, isCorralError } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startStoreStack } from "../testing.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

// A store's index is one KV value: the number of memories and the length of their paths are bounded, and a
// write past either bound is refused with nothing stored.
let bus: Bus;
const actor = { type: "api_actor" as const, api_key_id: "ckey_TEST" as const };

beforeAll(async () => {
  const stack = await startStoreStack();
  bus = stack.bus;
  return () => stack.stop();
});

const create = (storeId: `memstore_${string}`, path: string) =>
  request(bus, MEMORY_RPC.memoriesCreate, { memory_store_id: storeId, path, content: "", actor });

const versionCount = async (storeId: `memstore_${string}`) =>
  (await request(bus, MEMORY_RPC.versionsList, { memory_store_id: storeId, limit: 1000 })).data.length;

test("a store full of long paths refuses the next memory with PAYLOAD_TOO_LARGE, keeping what it has", async () => {
  const store = await request(bus, MEMORY_RPC.storesCreate, { name: "full" });
  const segment = "s".repeat(200);
  const longPath = (i: number) => `/${i}/${[segment, segment, segment, segment].join("/")}`;
  let stored = 0;
  let refusal: unknown = null;
  while (stored < MEMORY_LIMITS.memoriesPerStore) {
    const outcome = await create(store.id, longPath(stored)).then(
      () => null,
      (e: unknown) => e,
    );
    if (outcome) {
      refusal = outcome;
      break;
    }
    stored++;
  }
  expect(isCorralError(refusal, "PAYLOAD_TOO_LARGE")).toBe(true);
  expect(stored).toBeLessThan(MEMORY_LIMITS.memoriesPerStore);
  expect(await versionCount(store.id)).toBe(stored);
  const listed = await request(bus, MEMORY_RPC.memoriesList, { memory_store_id: store.id, limit: 1000 });
  expect(listed.data).toHaveLength(stored);
});
