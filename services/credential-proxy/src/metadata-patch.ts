import { CorralError, type MetadataPatch } from "@corral/protocol";

/** Applies a metadata patch: a null value removes its key. At most 16 keys remain. */
export function patchMetadata(
  current: Record<string, string>,
  patch: MetadataPatch | null | undefined,
): Record<string, string> {
  if (!patch) return current;
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  if (Object.keys(next).length > 16)
    throw new CorralError("INVALID_REQUEST", "metadata holds at most 16 keys");
  return next;
}
