import { z } from "zod";
import { MemoryStoreId } from "./ids.js";
import { Timestamp } from "./primitives.js";
import { workspaceField } from "./workspaces.js";
import { MetadataPatch } from "./metadata-patch.js";
import { Metadata } from "./agents.js";
import { CreatedAtRange } from "./list-filters.js";

// 1 to 255 characters, no control characters (the API's rule for a store's name).
const StoreName = z
  .string()
  .min(1)
  .max(255)
  .refine((name) => !/\p{Cc}/u.test(name), "name must not hold control characters");
const StoreDescription = z.string().max(1024);

/** A memory store as the API shows it (`workspace_id` is Corral's: the tenant it belongs to). */
export const MemoryStoreRecord = z.object({
  id: MemoryStoreId,
  type: z.literal("memory_store"),
  name: StoreName,
  description: StoreDescription,
  metadata: Metadata,
  created_at: Timestamp,
  updated_at: Timestamp,
  archived_at: Timestamp.nullable(),
  ...workspaceField,
});
export type MemoryStoreRecord = z.infer<typeof MemoryStoreRecord>;

export const MemoryStoreCreateParams = z.strictObject({
  name: StoreName,
  description: StoreDescription.optional(),
  metadata: Metadata.optional(),
});
export type MemoryStoreCreateParams = z.infer<typeof MemoryStoreCreateParams>;

/** Null or omitted keeps a field; metadata is a patch (a string upserts a key, null deletes it). */
export const MemoryStoreUpdateParams = z.strictObject({
  name: StoreName.nullish(),
  description: StoreDescription.nullish(),
  metadata: MetadataPatch.nullish(),
});
export type MemoryStoreUpdateParams = z.infer<typeof MemoryStoreUpdateParams>;

export const MemoryStoreRef = z.object({ memory_store_id: MemoryStoreId });
export type MemoryStoreRef = z.infer<typeof MemoryStoreRef>;

export const MemoryStoreUpdateRequest = MemoryStoreRef.extend({ params: MemoryStoreUpdateParams });
export type MemoryStoreUpdateRequest = z.infer<typeof MemoryStoreUpdateRequest>;

export const MemoryStoreListRequest = z.object({
  limit: z.number().int().min(1).max(1000).default(100),
  page: z.string().max(200).optional(),
  include_archived: z.boolean().default(false),
  created_at: CreatedAtRange.optional(),
});
export type MemoryStoreListRequest = z.infer<typeof MemoryStoreListRequest>;

/** The mount directory's name under `/mnt/memory/`: lowercased, each run of other than [a-z0-9] one hyphen. */
export function memoryStoreSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}
