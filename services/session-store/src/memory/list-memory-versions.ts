import {
  inCreatedAtRange,
  type MemoryActor,
  type MemoryVersion,
  type MemoryVersionListRequest,
  type MemoryView,
} from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { memoryBuckets, seqOfVersionId, versionKeys } from "./memory-buckets.js";
import { readIndex } from "./commit-change.js";
import { currentMemoryStore } from "./get-memory-store.js";
import { MEMORY_LIMITS } from "./memory-limits.js";

export const versionView = (version: MemoryVersion, view: MemoryView): MemoryVersion =>
  view === "full" ? version : { ...version, content: null };

function byActor(request: MemoryVersionListRequest, actor: MemoryActor | null): boolean {
  if (request.service_account_id !== undefined) return false; // Corral has no service accounts
  if (
    request.created_by_api_key_id !== undefined &&
    !(actor?.type === "api_actor" && actor.api_key_id === request.created_by_api_key_id)
  )
    return false;
  return (
    request.created_by_session_id === undefined ||
    (actor?.type === "session_actor" && actor.session_id === request.created_by_session_id)
  );
}

function matches(request: MemoryVersionListRequest, appliedSeq: number) {
  return (v: MemoryVersion) =>
    (seqOfVersionId(v.id) ?? Infinity) <= appliedSeq &&
    byActor(request, v.created_by) &&
    (request.memory_id === undefined || v.memory_id === request.memory_id) &&
    (request.operation === undefined || v.operation === request.operation) &&
    inCreatedAtRange(request.created_at, v.created_at);
}

/** A store's versions, newest first, with the API's filters; only versions already applied are shown. */
export async function listMemoryVersions(
  state: StoreState,
  request: MemoryVersionListRequest,
): Promise<PageOf<MemoryVersion>> {
  const storeId = request.memory_store_id;
  await currentMemoryStore(state, storeId);
  const b = await memoryBuckets(state);
  const applied = (await readIndex(b, storeId)).value.seq;
  const limit =
    request.view === "full" ? Math.min(request.limit, MEMORY_LIMITS.fullViewLimit) : request.limit;
  const page = await listBucketPage(b.versions, {
    limit,
    page: request.page,
    order: "desc",
    filter: versionKeys(storeId),
    keep: matches(request, applied),
  });
  return { ...page, data: page.data.map((v) => versionView(v, request.view)) };
}
