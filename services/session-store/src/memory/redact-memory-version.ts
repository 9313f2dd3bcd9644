import { CorralError, type MemoryVersion, type MemoryVersionRedactRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { versionById } from "./memory-views.js";

/**
 * Clears a version's content, path, size and hash for good (archived stores too). The version that holds a
 * live memory's current content is refused (409): update or delete the memory first.
 */
export async function redactMemoryVersion(
  state: StoreState,
  request: MemoryVersionRedactRequest,
): Promise<MemoryVersion> {
  const { memory_store_id: storeId, memory_version_id: id } = request;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const index = (await readIndex(b, storeId)).value;
  const version = await versionById(b, storeId, id, index.seq);
  if (!version)
    throw new CorralError("NOT_FOUND", `memory version ${id} not found in memory store ${storeId}`);
  if (version.value.redacted_at) return version.value;
  if (index.memories[version.value.memory_id]?.version_id === id)
    throw new CorralError(
      "CONFLICT",
      `memory version ${id} holds the current content of memory ${version.value.memory_id}; update or delete the memory first`,
      { retryable: false },
    );
  const redacted: MemoryVersion = {
    ...version.value,
    content: null,
    path: null,
    content_sha256: null,
    content_size_bytes: null,
    redacted_at: new Date().toISOString(),
    redacted_by: request.actor,
  };
  if ((await b.versions.replace(version.key, redacted, version.revision)) === null)
    throw new CorralError("CONFLICT", `memory version ${id} was changed concurrently; retry`);
  return redacted;
}
