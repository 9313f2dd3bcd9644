import { z } from "zod";
import { CorralError } from "./errors.js";

/** What a stored metadata bag may hold (the API's limits). */
export const METADATA_MAX_KEYS = 16;

/**
 * A metadata patch: a string upserts a key, null deletes it. The limits that matter are checked on the
 * result (`applyMetadataPatch`); a patch may name up to twice the bag's keys (every key deleted, as many added).
 */
export const MetadataPatch = z
  .record(z.string().min(1).max(64), z.string().max(512).nullable())
  .refine((m) => Object.keys(m).length <= 2 * METADATA_MAX_KEYS, "a metadata patch names at most 32 keys");
export type MetadataPatch = z.infer<typeof MetadataPatch>;

/**
 * The bag after the patch; null or absent keeps it. `emptyDeletes`: an empty string deletes its key as
 * well (environments, as the API documents them). More than 16 keys in the result is INVALID_REQUEST.
 */
export function applyMetadataPatch(
  current: Record<string, string>,
  patch: MetadataPatch | null | undefined,
  options: { emptyDeletes?: boolean } = {},
): Record<string, string> {
  if (!patch) return current;
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || (options.emptyDeletes && value === "")) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > METADATA_MAX_KEYS)
    throw new CorralError(
      "INVALID_REQUEST",
      `metadata: the result would hold ${Object.keys(next).length} keys, at most ${METADATA_MAX_KEYS}`,
    );
  return next;
}
