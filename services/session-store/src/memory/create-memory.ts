import { newId, type MemoryCreateRequest, type MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { commitChange } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { pathConflict, refuseArchivedIndex, writtenMemory } from "./memory-views.js";
import { pruneVersions } from "./prune-versions.js";

/** A new memory at a free path: 409 `memory_path_conflict_error` when it is taken or overlaps another. */
export async function createMemory(
  state: StoreState,
  request: MemoryCreateRequest,
): Promise<MemoryWriteResult> {
  const storeId = request.memory_store_id;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const memoryId = newId("memory");
  const out = await commitChange(b, storeId, (index) => {
    refuseArchivedIndex(index, storeId);
    const conflict = pathConflict(index, request.path);
    if (conflict) return { kind: "answer", result: conflict };
    const change = { operation: "created" as const, memory_id: memoryId, path: request.path };
    return { kind: "write", change: { ...change, content: request.content, actor: request.actor } };
  });
  if ("answer" in out) return out.answer;
  await pruneVersions(state, b, storeId, out.version);
  return writtenMemory(out.version, out.version.created_at, request.view);
}
