import type { MemoryStoreId, MemoryVersion } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { seqOfVersionId, seqOfVersionKey, versionKeys, type MemoryBuckets } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

/**
 * Every `pruneEvery` versions, drops a store's oldest versions beyond `versionsKept`, except those holding a
 * live memory's content. Pruning is housekeeping: a failure is logged and the write it follows stands.
 */
export async function pruneVersions(
  state: StoreState,
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  written: MemoryVersion,
): Promise<void> {
  const seq = seqOfVersionId(written.id) ?? 0;
  if (seq % MEMORY_LIMITS.pruneEvery !== 0) return;
  try {
    const index = (await readIndex(b, storeId)).value;
    const live = new Set(Object.values(index.memories).map((m) => seqOfVersionId(m.version_id)));
    const keys = (await b.versions.keys(versionKeys(storeId))).sort();
    const excess = keys.length - MEMORY_LIMITS.versionsKept;
    const old = keys.slice(0, Math.max(0, excess)).filter((key) => !live.has(seqOfVersionKey(key)));
    for (const key of old) await b.versions.purge(key);
  } catch (err) {
    state.logger.warn({ err, memory_store_id: storeId }, "memory versions not pruned");
  }
}
