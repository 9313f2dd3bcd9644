import { newId, type MemoryCreateRequest, type MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { pathConflict, refuseArchivedIndex } from "./memory-views.js";
import { writeMemory } from "./write-memory.js";

/** A new memory at a free path: 409 `memory_path_conflict_error` when it is taken or overlaps another. */
export function createMemory(state: StoreState, request: MemoryCreateRequest): Promise<MemoryWriteResult> {
  const storeId = request.memory_store_id;
  const memoryId = newId("memory");
  const { path, content, actor } = request;
  return writeMemory(
    state,
    storeId,
    (index) => {
      refuseArchivedIndex(index, storeId);
      const conflict = pathConflict(index, path);
      if (conflict) return { kind: "answer", result: conflict };
      return { kind: "write", change: { operation: "created", memory_id: memoryId, path, content, actor } };
    },
    request.view,
  );
}
