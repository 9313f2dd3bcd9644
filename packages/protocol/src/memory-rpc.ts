import { z } from "zod";
import { defineRpc } from "./rpc-def.js";
import { ApiKeyId, MemoryId, MemoryStoreId, MemoryVersionId, SessionId } from "./ids.js";
import { CreatedAtRange } from "./list-filters.js";
import {
  ContentSha256,
  MemoryContent,
  MemoryPath,
  MemoryPathPrefix,
  MEMORY_PATH_MAX_SEGMENTS,
} from "./memory-paths.js";
import {
  Memory,
  MemoryActor,
  MemoryPrefix,
  MemoryVersion,
  MemoryVersionOperation,
  MemoryView,
  MemoryWriteResult,
} from "./memory-records.js";
import {
  MemoryStoreCreateParams,
  MemoryStoreListRequest,
  MemoryStoreRecord,
  MemoryStoreRef,
  MemoryStoreUpdateRequest,
} from "./memory-stores.js";

const PageLimit = z.number().int().min(1).max(1000).default(100);
const Cursor = z.string().max(2000);
const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_page: z.string().nullable() });

export const MemoryRef = MemoryStoreRef.extend({ memory_id: MemoryId });
export const MemoryVersionRef = MemoryStoreRef.extend({ memory_version_id: MemoryVersionId });

export const MemoryCreateRequest = MemoryStoreRef.extend({
  actor: MemoryActor,
  path: MemoryPath,
  content: MemoryContent,
  view: MemoryView.default("basic"),
});
export type MemoryCreateRequest = z.infer<typeof MemoryCreateRequest>;

/** Omitted content or path keeps it; `expected_content_sha256` is the precondition on the current content. */
export const MemoryUpdateRequest = MemoryRef.extend({
  actor: MemoryActor,
  path: MemoryPath.optional(),
  content: MemoryContent.optional(),
  expected_content_sha256: ContentSha256.optional(),
  view: MemoryView.default("basic"),
});
export type MemoryUpdateRequest = z.infer<typeof MemoryUpdateRequest>;

export const MemoryDeleteRequest = MemoryRef.extend({
  actor: MemoryActor,
  expected_content_sha256: ContentSha256.optional(),
});
export type MemoryDeleteRequest = z.infer<typeof MemoryDeleteRequest>;

export const MemoryGetRequest = MemoryRef.extend({ view: MemoryView.default("full") });
export type MemoryGetRequest = z.infer<typeof MemoryGetRequest>;

export const MemoryListRequest = MemoryStoreRef.extend({
  limit: PageLimit,
  page: Cursor.optional(),
  path_prefix: MemoryPathPrefix.optional(),
  /** 0: every memory below the prefix; n: memories down to n levels, deeper ones as `memory_prefix` items. */
  depth: z.number().int().min(0).max(MEMORY_PATH_MAX_SEGMENTS).default(0),
  view: MemoryView.default("basic"),
});
export type MemoryListRequest = z.infer<typeof MemoryListRequest>;

export const MemoryVersionGetRequest = MemoryVersionRef.extend({ view: MemoryView.default("full") });
export type MemoryVersionGetRequest = z.infer<typeof MemoryVersionGetRequest>;

export const MemoryVersionListRequest = MemoryStoreRef.extend({
  limit: PageLimit,
  page: Cursor.optional(),
  /** The API's `api_key_id` and `session_id` filters (named apart from a request's own `session_id`). */
  created_by_api_key_id: ApiKeyId.optional(),
  created_by_session_id: SessionId.optional(),
  /** Corral has no service accounts: a filter on one matches no version. */
  service_account_id: z.string().max(128).optional(),
  memory_id: MemoryId.optional(),
  operation: MemoryVersionOperation.optional(),
  created_at: CreatedAtRange.optional(),
  view: MemoryView.default("basic"),
});
export type MemoryVersionListRequest = z.infer<typeof MemoryVersionListRequest>;

export const MemoryVersionRedactRequest = MemoryVersionRef.extend({ actor: MemoryActor });
export type MemoryVersionRedactRequest = z.infer<typeof MemoryVersionRedactRequest>;

/** A page of a store's whole content, for mounting it in a session's sandbox. */
export const MemorySnapshotRequest = MemoryStoreRef.extend({
  session_id: SessionId,
  page: Cursor.optional(),
});
export type MemorySnapshotRequest = z.infer<typeof MemorySnapshotRequest>;

export const MemorySnapshotFile = z.object({
  id: MemoryId,
  path: z.string(),
  content: z.string(),
  content_sha256: ContentSha256,
});
export type MemorySnapshotFile = z.infer<typeof MemorySnapshotFile>;

export const MemorySnapshot = z.object({
  store: MemoryStoreRecord,
  memories: z.array(MemorySnapshotFile),
  /** Pass as `page` for the rest; null when this page is the last. */
  next_page: z.string().nullable(),
});
export type MemorySnapshot = z.infer<typeof MemorySnapshot>;

/**
 * What a session's agent changed at one path: `content` null deletes it. `expected_content_sha256`: the
 * content the agent started from (null: the path held no memory); omitted, the write is unconditional.
 */
export const MemorySessionWriteRequest = MemoryStoreRef.extend({
  session_id: SessionId,
  path: MemoryPath,
  content: MemoryContent.nullable(),
  expected_content_sha256: ContentSha256.nullable().optional(),
});
export type MemorySessionWriteRequest = z.infer<typeof MemorySessionWriteRequest>;

export const MemoryStoreDeleted = z.object({ id: MemoryStoreId, type: z.literal("memory_store_deleted") });

const rpc = (verb: string) => `corral.api.store.memory.${verb}`;

/** Memory stores, their memories and versions: served by the session-store (queue group `session-store`). */
export const MEMORY_RPC = {
  storesCreate: defineRpc(rpc("stores.create"), MemoryStoreCreateParams, MemoryStoreRecord),
  storesGet: defineRpc(rpc("stores.get"), MemoryStoreRef, MemoryStoreRecord),
  storesUpdate: defineRpc(rpc("stores.update"), MemoryStoreUpdateRequest, MemoryStoreRecord),
  storesList: defineRpc(rpc("stores.list"), MemoryStoreListRequest, page(MemoryStoreRecord)),
  storesArchive: defineRpc(rpc("stores.archive"), MemoryStoreRef, MemoryStoreRecord),
  storesDelete: defineRpc(rpc("stores.delete"), MemoryStoreRef, MemoryStoreDeleted),
  memoriesCreate: defineRpc(rpc("memories.create"), MemoryCreateRequest, MemoryWriteResult),
  memoriesGet: defineRpc(rpc("memories.get"), MemoryGetRequest, Memory),
  memoriesUpdate: defineRpc(rpc("memories.update"), MemoryUpdateRequest, MemoryWriteResult),
  memoriesList: defineRpc(rpc("memories.list"), MemoryListRequest, page(z.union([Memory, MemoryPrefix]))),
  memoriesDelete: defineRpc(rpc("memories.delete"), MemoryDeleteRequest, MemoryWriteResult),
  versionsGet: defineRpc(rpc("versions.get"), MemoryVersionGetRequest, MemoryVersion),
  versionsList: defineRpc(rpc("versions.list"), MemoryVersionListRequest, page(MemoryVersion)),
  versionsRedact: defineRpc(rpc("versions.redact"), MemoryVersionRedactRequest, MemoryVersion),
  /** For the sandbox-manager: a store's content, page by page, to mount it in a session's sandbox. */
  snapshot: defineRpc(rpc("snapshot"), MemorySnapshotRequest, MemorySnapshot),
  /** For the sandbox-manager: one change an agent made under its mount, attributed to its session. */
  sessionWrite: defineRpc(rpc("session.write"), MemorySessionWriteRequest, MemoryWriteResult),
  /** The store when it exists in the caller's workspace and is not archived: NOT_FOUND or ARCHIVED else. */
  storeCheck: defineRpc(rpc("stores.check"), MemoryStoreRef, MemoryStoreRecord),
} as const;

/** The two RPCs a sandbox-manager may send (it never sees the rest of the API). */
export const SANDBOX_MEMORY_RPCS = [MEMORY_RPC.snapshot, MEMORY_RPC.sessionWrite] as const;
