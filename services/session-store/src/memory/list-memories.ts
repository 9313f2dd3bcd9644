import { type Memory, type MemoryId, type MemoryListRequest, type MemoryPrefix } from "@corral/protocol";
import { decodeCursor, encodeCursor, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { memoryBuckets, type IndexEntry } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { contentOf, memoryOf } from "./memory-views.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

type Item = { path: string; memory: [MemoryId, IndexEntry] | null };

/** What a list shows below `prefix`: each memory, or with `depth` its directory `depth` levels down. */
function itemsBelow(memories: Record<string, IndexEntry>, prefix: string, depth: number): Item[] {
  const items = new Map<string, Item>();
  for (const [id, entry] of Object.entries(memories)) {
    if (!entry.path.startsWith(prefix)) continue;
    const segments = entry.path.slice(prefix.length).split("/");
    if (depth > 0 && segments.length > depth) {
      const path = `${prefix}${segments.slice(0, depth).join("/")}/`;
      items.set(path, { path, memory: null });
    } else items.set(entry.path, { path: entry.path, memory: [id as MemoryId, entry] });
  }
  return [...items.values()].sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/** Memories in path order; `path_prefix` matches whole segments; `view=full` pages hold at most 20. */
export async function listMemories(
  state: StoreState,
  request: MemoryListRequest,
): Promise<PageOf<Memory | MemoryPrefix>> {
  const storeId = request.memory_store_id;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const index = (await readIndex(b, storeId)).value;
  const after = decodeCursor(request.page);
  const limit =
    request.view === "full" ? Math.min(request.limit, MEMORY_LIMITS.fullViewLimit) : request.limit;
  const all = itemsBelow(index.memories, request.path_prefix ?? "/", request.depth);
  const rest = after === null ? all : all.filter((item) => item.path > after);
  const slice = rest.slice(0, limit);
  const data: (Memory | MemoryPrefix)[] = [];
  for (const item of slice) {
    if (!item.memory) data.push({ type: "memory_prefix", path: item.path });
    else {
      const [id, entry] = item.memory;
      const content = request.view === "full" ? await contentOf(b, storeId, entry) : null;
      data.push(memoryOf(storeId, id, entry, content));
    }
  }
  const last = slice.at(-1);
  return { data, next_page: rest.length > limit && last ? encodeCursor(last.path) : null };
}
