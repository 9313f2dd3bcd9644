import type { MemoryDeleteRequest, MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { commitChange } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { liveEntry, preconditionFailed, writtenMemory } from "./memory-views.js";
import { pruneVersions } from "./prune-versions.js";

/** Deletes a memory (archived stores too); its versions stay. Conditional with `expected_content_sha256`. */
export async function deleteMemory(
  state: StoreState,
  request: MemoryDeleteRequest,
): Promise<MemoryWriteResult> {
  const { memory_store_id: storeId, memory_id: memoryId } = request;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const out = await commitChange(b, storeId, (index) => {
    const entry = liveEntry(index, storeId, memoryId);
    const expected = request.expected_content_sha256;
    if (expected !== undefined && expected !== entry.sha256)
      return {
        kind: "answer",
        result: preconditionFailed(`memory ${memoryId} does not have content_sha256 ${expected}`),
      };
    const change = { operation: "deleted" as const, memory_id: memoryId, path: entry.path, content: null };
    return { kind: "write", change: { ...change, actor: request.actor } };
  });
  if ("answer" in out) return out.answer;
  await pruneVersions(state, b, storeId, out.version);
  return writtenMemory(out.version, out.version.created_at, "basic");
}
