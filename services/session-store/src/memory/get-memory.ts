import type { Memory, MemoryGetRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { contentOf, liveEntry, memoryOf } from "./memory-views.js";

export async function getMemory(state: StoreState, request: MemoryGetRequest): Promise<Memory> {
  const { memory_store_id: storeId, memory_id: memoryId } = request;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const entry = liveEntry((await readIndex(b, storeId)).value, storeId, memoryId);
  const content = request.view === "full" ? await contentOf(b, storeId, entry) : null;
  return memoryOf(storeId, memoryId, entry, content);
}
