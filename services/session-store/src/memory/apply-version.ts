import type { MemoryVersion } from "@corral/protocol";
import type { StoredIndex } from "./memory-buckets.js";

/**
 * The index after version `version` (the next in the log) is applied; null when it must be discarded
 * instead: the store was archived after the version was written and before it was applied, and archived
 * stores take deletes only.
 */
export function applyVersion(index: StoredIndex, version: MemoryVersion): StoredIndex | null {
  if (index.archived && version.operation !== "deleted") return null;
  const memories = { ...index.memories };
  if (version.operation === "deleted") delete memories[version.memory_id];
  else {
    const before = memories[version.memory_id];
    memories[version.memory_id] = {
      path: version.path ?? before?.path ?? "/",
      sha256: version.content_sha256 ?? "",
      size: version.content_size_bytes ?? 0,
      version_id: version.id,
      created_at: before?.created_at ?? version.created_at,
      updated_at: version.created_at,
    };
  }
  return { ...index, seq: index.seq + 1, memories };
}
