import { applyMetadataPatch, type MemoryStoreRecord, type MemoryStoreUpdateRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { refuseArchived, replaceRecord } from "../records/record-writes.js";
import { memoryBuckets } from "./memory-buckets.js";
import { currentMemoryStore } from "./get-memory-store.js";

/** Null or omitted keeps a field; metadata is patched (null deletes a key). */
function applyUpdate(
  current: MemoryStoreRecord,
  params: MemoryStoreUpdateRequest["params"],
): MemoryStoreRecord {
  return {
    ...current,
    ...(params.name != null && { name: params.name }),
    ...(params.description != null && { description: params.description }),
    metadata: applyMetadataPatch(current.metadata, params.metadata),
    updated_at: new Date().toISOString(),
  };
}

export async function updateMemoryStore(
  state: StoreState,
  request: MemoryStoreUpdateRequest,
): Promise<MemoryStoreRecord> {
  const id = request.memory_store_id;
  const entry = await currentMemoryStore(state, id);
  refuseArchived(entry.value, `memory store ${id}`);
  const what = { key: id, what: `memory store ${id}`, revision: entry.revision };
  return replaceRecord((await memoryBuckets(state)).stores, what, applyUpdate(entry.value, request.params));
}
