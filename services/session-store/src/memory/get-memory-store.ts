import { CorralError, type MemoryStoreId, type MemoryStoreRecord } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { StoreState } from "../state.js";
import { requireVisible } from "../workspace-scope.js";
import { memoryBuckets } from "./memory-buckets.js";

/** The store's record at its revision; NOT_FOUND when it does not exist in the caller's workspace. */
export async function currentMemoryStore(
  state: StoreState,
  storeId: MemoryStoreId,
): Promise<Versioned<MemoryStoreRecord>> {
  const entry = await (await memoryBuckets(state)).stores.get(storeId);
  if (!entry) throw new CorralError("NOT_FOUND", `memory store ${storeId} not found`);
  requireVisible(entry.value, `memory store ${storeId}`);
  return entry;
}

export async function getMemoryStore(
  state: StoreState,
  request: { memory_store_id: MemoryStoreId },
): Promise<MemoryStoreRecord> {
  return (await currentMemoryStore(state, request.memory_store_id)).value;
}
