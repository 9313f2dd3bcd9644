import {
  CorralError,
  newId,
  type MemoryId,
  type MemorySessionWriteRequest,
  type MemoryWriteResult,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { IndexEntry, StoredIndex } from "./memory-buckets.js";
import { sha256Hex, type Decision } from "./commit-change.js";
import { memoryOf, pathConflict, preconditionFailed, refuseArchivedIndex } from "./memory-views.js";
import { writeMemory } from "./write-memory.js";

const atPath = (index: StoredIndex, path: string) =>
  Object.entries(index.memories).find(([, entry]) => entry.path === path) as
    | [MemoryId, IndexEntry]
    | undefined;

/** What one change at a path means against the index: create, modify, delete, an answer or an error. */
function decide(request: MemorySessionWriteRequest, index: StoredIndex, newMemoryId: MemoryId): Decision {
  const { path, content, expected_content_sha256: expected } = request;
  const actor = { type: "session_actor" as const, session_id: request.session_id };
  const found = atPath(index, path);
  if (found && content !== null && sha256Hex(content) === found[1].sha256)
    return { kind: "answer", result: memoryOf(request.memory_store_id, found[0], found[1], null) };
  if (!found && content === null) throw new CorralError("NOT_FOUND", `no memory at ${path}`);
  if (expected !== undefined && expected !== (found?.[1].sha256 ?? null))
    return {
      kind: "answer",
      result: preconditionFailed(
        found ? `${path} was changed by someone else since it was read` : `${path} no longer holds a memory`,
      ),
    };
  if (content === null) {
    const [memoryId] = found!;
    return { kind: "write", change: { operation: "deleted", memory_id: memoryId, path, content, actor } };
  }
  refuseArchivedIndex(index, request.memory_store_id);
  if (found)
    return { kind: "write", change: { operation: "modified", memory_id: found[0], path, content, actor } };
  const conflict = pathConflict(index, path);
  if (conflict) return { kind: "answer", result: conflict };
  return { kind: "write", change: { operation: "created", memory_id: newMemoryId, path, content, actor } };
}

/**
 * One change a session's agent made under its mount of the store, written back as a version whose actor is
 * the session. A retried write whose content is already there is answered with the memory, no new version.
 */
export function sessionWrite(
  state: StoreState,
  request: MemorySessionWriteRequest,
): Promise<MemoryWriteResult> {
  const newMemoryId = newId("memory");
  return writeMemory(state, request.memory_store_id, (index) => decide(request, index, newMemoryId), "basic");
}
