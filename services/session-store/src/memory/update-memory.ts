import type { MemoryUpdateRequest, MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { IndexEntry, MemoryBuckets, StoredIndex } from "./memory-buckets.js";
import { sha256Hex, type Decision } from "./commit-change.js";
import {
  contentOf,
  liveEntry,
  memoryOf,
  pathConflict,
  preconditionFailed,
  refuseArchivedIndex,
} from "./memory-views.js";
import { writeMemory } from "./write-memory.js";

/** The memory as it is, when the update would change nothing (no new version). */
async function unchanged(
  b: MemoryBuckets,
  request: MemoryUpdateRequest,
  entry: IndexEntry,
): Promise<Decision> {
  const content = request.view === "full" ? await contentOf(b, request.memory_store_id, entry) : null;
  return { kind: "answer", result: memoryOf(request.memory_store_id, request.memory_id, entry, content) };
}

async function decide(b: MemoryBuckets, request: MemoryUpdateRequest, index: StoredIndex): Promise<Decision> {
  const { memory_store_id: storeId, memory_id: memoryId } = request;
  const entry = liveEntry(index, storeId, memoryId);
  const path = request.path ?? entry.path;
  const sameContent = request.content === undefined || sha256Hex(request.content) === entry.sha256;
  // As the API documents: a memory that already is what was asked for is an answer, whatever the precondition.
  if (sameContent && path === entry.path) return unchanged(b, request, entry);
  refuseArchivedIndex(index, storeId);
  if (request.expected_content_sha256 !== undefined && request.expected_content_sha256 !== entry.sha256)
    return {
      kind: "answer",
      result: preconditionFailed(
        `memory ${memoryId} does not have content_sha256 ${request.expected_content_sha256}`,
      ),
    };
  const conflict = path === entry.path ? null : pathConflict(index, path, memoryId);
  if (conflict) return { kind: "answer", result: conflict };
  const content = request.content ?? (await contentOf(b, storeId, entry));
  const change = {
    ...{ operation: "modified" as const, memory_id: memoryId, path, content, actor: request.actor },
    memory_created_at: entry.created_at,
  };
  return { kind: "write", change };
}

/** Changes a memory's content, path or both; `expected_content_sha256` makes it conditional (409 else). */
export function updateMemory(state: StoreState, request: MemoryUpdateRequest): Promise<MemoryWriteResult> {
  return writeMemory(state, request.memory_store_id, (index, b) => decide(b, request, index), request.view);
}
