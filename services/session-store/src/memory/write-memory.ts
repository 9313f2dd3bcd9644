import type { MemoryStoreId, MemoryView, MemoryWriteResult } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets, type MemoryBuckets, type StoredIndex } from "./memory-buckets.js";
import { commitChange, type Decision } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { writtenMemory } from "./memory-views.js";
import { pruneVersions } from "./prune-versions.js";
import { inStoreQueue } from "./store-queue.js";

/** One memory write of any kind: the store checked for the caller, the change committed, the answer shaped. */
export async function writeMemory(
  state: StoreState,
  storeId: MemoryStoreId,
  decide: (index: StoredIndex, b: MemoryBuckets) => Decision | Promise<Decision>,
  view: MemoryView,
): Promise<MemoryWriteResult> {
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const out = await inStoreQueue(storeId, () => commitChange(b, storeId, (index) => decide(index, b)));
  if ("answer" in out) return out.answer;
  await pruneVersions(state, b, storeId, out.version);
  return writtenMemory(out.version, out.change.memory_created_at ?? out.version.created_at, view);
}
