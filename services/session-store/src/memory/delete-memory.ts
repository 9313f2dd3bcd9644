import type { MemoryDeleteRequest, MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { liveEntry, preconditionFailed } from "./memory-views.js";
import { writeMemory } from "./write-memory.js";

/** Deletes a memory (archived stores too); its versions stay. Conditional with `expected_content_sha256`. */
export function deleteMemory(state: StoreState, request: MemoryDeleteRequest): Promise<MemoryWriteResult> {
  const { memory_store_id: storeId, memory_id: memoryId, expected_content_sha256: expected } = request;
  return writeMemory(
    state,
    storeId,
    (index) => {
      const entry = liveEntry(index, storeId, memoryId);
      if (expected !== undefined && expected !== entry.sha256)
        return {
          kind: "answer",
          result: preconditionFailed(`memory ${memoryId} does not have content_sha256 ${expected}`),
        };
      const change = { operation: "deleted" as const, memory_id: memoryId, path: entry.path, content: null };
      return { kind: "write", change: { ...change, actor: request.actor } };
    },
    "basic",
  );
}
