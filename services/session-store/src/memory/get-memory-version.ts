import { CorralError, type MemoryVersion, type MemoryVersionGetRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { memoryBuckets } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { versionById } from "./memory-views.js";
import { versionView } from "./list-memory-versions.js";

export async function getMemoryVersion(
  state: StoreState,
  request: MemoryVersionGetRequest,
): Promise<MemoryVersion> {
  const { memory_store_id: storeId, memory_version_id: id } = request;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const version = await versionById(b, storeId, id, (await readIndex(b, storeId)).value.seq);
  if (!version)
    throw new CorralError("NOT_FOUND", `memory version ${id} not found in memory store ${storeId}`);
  return versionView(version.value, request.view);
}
