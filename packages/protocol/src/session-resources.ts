import { z } from "zod";
import { FileId, MemoryStoreId } from "./ids.js";
import { SessionResourceId } from "./session-resources-ids.js";
import { Timestamp } from "./primitives.js";
import { MountPath, mountPathsOverlap } from "./session-resources-paths.js";
import { RepositoryResourceParams, RepositoryResourceRecord } from "./session-resources-repository.js";

/** The most resources one session holds (create and add together). */
export const SESSION_RESOURCES_MAX = 64;
export const MEMORY_INSTRUCTIONS_MAX_LENGTH = 4096;

/** `resources[]` of a file on create, and the body of `sessions.resources.add`. */
export const FileResourceParams = z.strictObject({
  type: z.literal("file"),
  file_id: FileId,
  /** Defaults to `/mnt/session/uploads/<file_id>`. */
  mount_path: MountPath.nullish(),
});
export type FileResourceParams = z.infer<typeof FileResourceParams>;

export const MemoryAccess = z.enum(["read_write", "read_only"]);
export type MemoryAccess = z.infer<typeof MemoryAccess>;

export const MemoryStoreResourceParams = z.strictObject({
  type: z.literal("memory_store"),
  memory_store_id: MemoryStoreId,
  access: MemoryAccess.nullish(),
  instructions: z.string().max(MEMORY_INSTRUCTIONS_MAX_LENGTH).nullish(),
});
export type MemoryStoreResourceParams = z.infer<typeof MemoryStoreResourceParams>;

/** One resource as sessions.create takes it: discriminated on `type`, each kind strict. */
export const SessionResourceParams = z.discriminatedUnion("type", [
  FileResourceParams,
  RepositoryResourceParams,
  MemoryStoreResourceParams,
]);
export type SessionResourceParams = z.infer<typeof SessionResourceParams>;

const resourceBase = { id: SessionResourceId, created_at: Timestamp, updated_at: Timestamp };

export const FileResourceRecord = z.object({
  ...resourceBase,
  type: z.literal("file"),
  file_id: FileId,
  mount_path: z.string(),
});
export type FileResourceRecord = z.infer<typeof FileResourceRecord>;

/** A memory store as attached: its name and description are snapshotted at attach time, as the API does. */
export const MemoryStoreResourceRecord = z.object({
  ...resourceBase,
  type: z.literal("memory_store"),
  memory_store_id: MemoryStoreId,
  access: MemoryAccess,
  description: z.string(),
  instructions: z.string().nullable(),
  mount_path: z.string(),
  name: z.string(),
});
export type MemoryStoreResourceRecord = z.infer<typeof MemoryStoreResourceRecord>;

/** A resource as the API returns it (never with a secret). */
export const SessionResourceRecord = z.discriminatedUnion("type", [
  FileResourceRecord,
  RepositoryResourceRecord,
  MemoryStoreResourceRecord,
]);
export type SessionResourceRecord = z.infer<typeof SessionResourceRecord>;

export const SessionResourceDeleted = z.object({
  id: SessionResourceId,
  type: z.literal("session_resource_deleted"),
});
export type SessionResourceDeleted = z.infer<typeof SessionResourceDeleted>;

/** `sessions.resources.update`: only a repository's token can change (the API says so). */
export const SessionResourceUpdateParams = z.strictObject({
  authorization_token: z.string().min(1).max(4096),
});
export type SessionResourceUpdateParams = z.infer<typeof SessionResourceUpdateParams>;

/** Where a resource appears in the sandbox; memory stores and repositories are checked by their own rules. */
export const mountPathOf = (r: SessionResourceRecord): string => r.mount_path;

/** The first two resources of `all` whose mount paths collide, or null. */
export function overlappingMounts(all: readonly SessionResourceRecord[]): [string, string] | null {
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) {
      const [a, b] = [mountPathOf(all[i]!), mountPathOf(all[j]!)];
      if (mountPathsOverlap(a, b)) return [a, b];
    }
  return null;
}
