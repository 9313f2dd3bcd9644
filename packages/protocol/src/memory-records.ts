import { z } from "zod";
import { ApiKeyId, MemoryId, MemoryStoreId, MemoryVersionId, SessionId } from "./ids.js";
import { Timestamp } from "./primitives.js";
import { ContentSha256 } from "./memory-paths.js";

/** Who made a change: a caller of the HTTP API (its key's id) or a session's agent through its mount. */
export const MemoryActor = z.discriminatedUnion("type", [
  z.object({ type: z.literal("api_actor"), api_key_id: ApiKeyId }),
  z.object({ type: z.literal("session_actor"), session_id: SessionId }),
]);
export type MemoryActor = z.infer<typeof MemoryActor>;

/** `basic` leaves `content` null; `full` includes it. */
export const MemoryView = z.enum(["basic", "full"]);
export type MemoryView = z.infer<typeof MemoryView>;

/** A text document at a path in a store, as the API shows it. */
export const Memory = z.object({
  id: MemoryId,
  type: z.literal("memory"),
  memory_store_id: MemoryStoreId,
  memory_version_id: MemoryVersionId,
  path: z.string(),
  content: z.string().nullable(),
  content_sha256: ContentSha256,
  content_size_bytes: z.number().int().min(0),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Memory = z.infer<typeof Memory>;

/** A directory marker of a list with `depth`: one or more memories below `path` (which ends with `/`). */
export const MemoryPrefix = z.object({ type: z.literal("memory_prefix"), path: z.string() });
export type MemoryPrefix = z.infer<typeof MemoryPrefix>;

export const MemoryDeleted = z.object({ id: MemoryId, type: z.literal("memory_deleted") });
export type MemoryDeleted = z.infer<typeof MemoryDeleted>;

export const MemoryVersionOperation = z.enum(["created", "modified", "deleted"]);
export type MemoryVersionOperation = z.infer<typeof MemoryVersionOperation>;

/** One change to a memory, as the API shows it: content and path are null once redacted. */
export const MemoryVersion = z.object({
  id: MemoryVersionId,
  type: z.literal("memory_version"),
  memory_id: MemoryId,
  memory_store_id: MemoryStoreId,
  operation: MemoryVersionOperation,
  path: z.string().nullable(),
  content: z.string().nullable(),
  content_sha256: ContentSha256.nullable(),
  content_size_bytes: z.number().int().min(0).nullable(),
  created_at: Timestamp,
  created_by: MemoryActor.nullable(),
  redacted_at: Timestamp.nullable(),
  redacted_by: MemoryActor.nullable(),
});
export type MemoryVersion = z.infer<typeof MemoryVersion>;

/**
 * Why a write was not applied, as the API's 409 errors say it: the path is taken or overlaps another
 * memory's (with which), or the memory's content is not the one the precondition names.
 */
export const MemoryRefusal = z.object({
  type: z.enum(["memory_path_conflict_error", "memory_precondition_failed_error", "conflict_error"]),
  message: z.string(),
  conflicting_path: z.string().optional(),
  conflicting_memory_id: z.string().optional(),
});
export type MemoryRefusal = z.infer<typeof MemoryRefusal>;

/** What a memory write answers: the memory, its deletion, or why nothing changed (never a half write). */
export const MemoryWriteResult = z.discriminatedUnion("type", [
  Memory,
  MemoryDeleted,
  z.object({ type: z.literal("refused"), error: MemoryRefusal }),
]);
export type MemoryWriteResult = z.infer<typeof MemoryWriteResult>;
