import { isCorralError, type MemoryStoreId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { indexKey, memoryBuckets, versionKeys } from "./memory-buckets.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { markIndex } from "./archive-memory-store.js";

/**
 * Deletes the store, its memories and every version (archived stores too). The index is marked first, so a
 * writer racing the delete is answered NOT_FOUND instead of writing into a store being removed.
 */
export async function deleteMemoryStore(
  state: StoreState,
  request: { memory_store_id: MemoryStoreId },
): Promise<{ id: MemoryStoreId; type: "memory_store_deleted" }> {
  const id = request.memory_store_id;
  await currentMemoryStore(state, id);
  const b = await memoryBuckets(state);
  await markIndex(b, id, { deleted: true }).catch((error: unknown) => {
    if (!isCorralError(error, "NOT_FOUND")) throw error; // a delete that stopped half-way: finish it
  });
  await b.stores.delete(id);
  for (const key of await b.versions.keys(versionKeys(id))) await b.versions.purge(key);
  await b.indexes.purge(indexKey(id));
  return { id, type: "memory_store_deleted" };
}
