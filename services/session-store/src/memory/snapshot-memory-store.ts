import type { MemorySnapshot, MemorySnapshotFile, MemorySnapshotRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { contentOf } from "./memory-views.js";
import { decodeCursor, encodeCursor } from "@corral/bus";
import { MEMORY_LIMITS } from "./memory-limits.js";

/**
 * A store's memories with their content, in path order, for mounting in a session's sandbox: pages are
 * bounded in bytes (a reply is one NATS message), each holding at least one memory.
 */
export async function snapshotMemoryStore(
  state: StoreState,
  request: MemorySnapshotRequest,
): Promise<MemorySnapshot> {
  const storeId = request.memory_store_id;
  const store = (await currentMemoryStore(state, storeId)).value;
  const b = await memoryBuckets(state);
  const index = (await readIndex(b, storeId)).value;
  const after = decodeCursor(request.page);
  const entries = Object.entries(index.memories)
    .filter(([, entry]) => after === null || entry.path > after)
    .sort(([, x], [, y]) => (x.path < y.path ? -1 : 1));
  const memories: MemorySnapshotFile[] = [];
  let bytes = 0;
  for (const [id, entry] of entries) {
    if (memories.length > 0 && bytes + entry.size > MEMORY_LIMITS.snapshotPageBytes)
      return { store, memories, next_page: encodeCursor(memories.at(-1)!.path) };
    const content = await contentOf(b, storeId, entry);
    memories.push({
      id: id as MemorySnapshotFile["id"],
      path: entry.path,
      content,
      content_sha256: entry.sha256,
    });
    bytes += Buffer.byteLength(JSON.stringify(content));
  }
  return { store, memories, next_page: null };
}
