import { CorralError, type MemoryStoreId, type MemoryStoreRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { archivedNow, replaceRecord } from "../records/record-writes.js";
import { indexKey, memoryBuckets, type MemoryBuckets } from "./memory-buckets.js";
import { readIndex, rollForward } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

/**
 * Marks the index archived with a compare-and-set after every version written before it is applied: from
 * then on a version written late is discarded unless it is a delete, so no write lands after the archive.
 */
export async function markIndex(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  mark: { archived?: true; deleted?: true },
): Promise<void> {
  for (let attempt = 0; attempt < MEMORY_LIMITS.writeAttempts; attempt++) {
    const current = await readIndex(b, storeId);
    if (await rollForward(b, storeId, current)) continue;
    if (
      (await b.indexes.replace(indexKey(storeId), { ...current.value, ...mark }, current.revision)) !== null
    )
      return;
  }
  throw new CorralError("CONFLICT", `memory store ${storeId} is busy; retry`);
}

/** Archiving is permanent: the store and its memories become read-only (deletes aside). */
export async function archiveMemoryStore(
  state: StoreState,
  request: { memory_store_id: MemoryStoreId },
): Promise<MemoryStoreRecord> {
  const id = request.memory_store_id;
  const entry = await currentMemoryStore(state, id);
  if (entry.value.archived_at) return entry.value;
  const b = await memoryBuckets(state);
  await markIndex(b, id, { archived: true });
  const what = { key: id, what: `memory store ${id}`, revision: entry.revision };
  return replaceRecord(b.stores, what, archivedNow(entry.value));
}
