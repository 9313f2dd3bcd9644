import { newId, type MemoryStoreCreateParams, type MemoryStoreRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { newRecordWorkspace } from "../workspace-scope.js";
import { indexKey, memoryBuckets } from "./memory-buckets.js";

/** The empty index goes first: a store whose record exists always has one. */
export async function createMemoryStore(
  state: StoreState,
  params: MemoryStoreCreateParams,
): Promise<MemoryStoreRecord> {
  const b = await memoryBuckets(state);
  const now = new Date().toISOString();
  const record: MemoryStoreRecord = {
    id: newId("memoryStore"),
    type: "memory_store",
    name: params.name,
    description: params.description ?? "",
    metadata: params.metadata ?? {},
    created_at: now,
    updated_at: now,
    archived_at: null,
    workspace_id: newRecordWorkspace(),
  };
  await b.indexes.create(indexKey(record.id), { seq: 0, archived: false, deleted: false, memories: {} });
  await b.stores.create(record.id, record);
  return record;
}
