import {
  CorralError,
  memoryPathsOverlap,
  type Memory,
  type MemoryId,
  type MemoryStoreId,
  type MemoryVersion,
  type MemoryVersionId,
  type MemoryView,
  type MemoryWriteResult,
} from "@corral/protocol";
import {
  seqOfVersionId,
  versionKey,
  type IndexEntry,
  type MemoryBuckets,
  type StoredIndex,
} from "./memory-buckets.js";

/** The version with this id in the store; null when there is none (or it is not applied yet). */
export async function versionById(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  id: MemoryVersionId,
  appliedSeq: number,
): Promise<{ value: MemoryVersion; revision: number; key: string } | null> {
  const seq = seqOfVersionId(id);
  if (seq === null || seq > appliedSeq) return null;
  const key = versionKey(storeId, seq);
  const entry = await b.versions.get(key);
  return entry && entry.value.id === id ? { ...entry, key } : null;
}

/** A live memory's content: the content of the version that holds it (never redacted while it does). */
export async function contentOf(
  b: MemoryBuckets,
  storeId: MemoryStoreId,
  entry: IndexEntry,
): Promise<string> {
  const seq = seqOfVersionId(entry.version_id) ?? -1;
  const version = (await b.versions.get(versionKey(storeId, seq)))?.value;
  if (!version || version.id !== entry.version_id || version.content === null)
    throw new CorralError("INTERNAL", `memory store ${storeId}: a memory's content is missing`);
  return version.content;
}

export function memoryOf(
  storeId: MemoryStoreId,
  id: MemoryId,
  entry: IndexEntry,
  content: string | null,
): Memory {
  return {
    id,
    type: "memory",
    memory_store_id: storeId,
    memory_version_id: entry.version_id,
    path: entry.path,
    content,
    content_sha256: entry.sha256,
    content_size_bytes: entry.size,
    created_at: entry.created_at,
    updated_at: entry.updated_at,
  };
}

/** The memory a committed version made, as a write answers it. */
export function writtenMemory(
  version: MemoryVersion,
  createdAt: string,
  view: MemoryView,
): MemoryWriteResult {
  if (version.operation === "deleted") return { id: version.memory_id, type: "memory_deleted" };
  const entry: IndexEntry = {
    path: version.path ?? "/",
    sha256: version.content_sha256 ?? "",
    size: version.content_size_bytes ?? 0,
    version_id: version.id,
    created_at: createdAt,
    updated_at: version.created_at,
  };
  return memoryOf(
    version.memory_store_id,
    version.memory_id,
    entry,
    view === "full" ? version.content : null,
  );
}

/** 409 `memory_path_conflict_error` when `path` is taken or overlaps another memory's (not `except`'s). */
export function pathConflict(index: StoredIndex, path: string, except?: MemoryId): MemoryWriteResult | null {
  for (const [id, entry] of Object.entries(index.memories)) {
    if (id === except || !memoryPathsOverlap(path, entry.path)) continue;
    const how = entry.path === path ? "is already used by" : "overlaps the path of";
    return {
      type: "refused",
      error: {
        type: "memory_path_conflict_error",
        message: `path ${path} ${how} memory ${id} (${entry.path})`,
        conflicting_path: entry.path,
        conflicting_memory_id: id,
      },
    };
  }
  return null;
}

export const preconditionFailed = (message: string): MemoryWriteResult => ({
  type: "refused",
  error: { type: "memory_precondition_failed_error", message },
});

export function refuseArchivedIndex(index: StoredIndex, storeId: MemoryStoreId): void {
  if (index.archived) throw new CorralError("ARCHIVED", `memory store ${storeId} is archived and read-only`);
}

export function liveEntry(index: StoredIndex, storeId: MemoryStoreId, id: MemoryId): IndexEntry {
  const entry = index.memories[id];
  if (!entry) throw new CorralError("NOT_FOUND", `memory ${id} not found in memory store ${storeId}`);
  return entry;
}
