import { CorralError, isLogId, type HandoffRequest, type LogId, type SandboxRecord } from "@corral/protocol";

/** Records written before sandboxes could change hands name no holders: their session holds them. */
export function holdersOf(record: SandboxRecord): LogId[] {
  const named = record.holders.filter(isLogId);
  if (named.length > 0) return named;
  return isLogId(record.session_id) ? [record.session_id] : [];
}

/**
 * Who holds the sandbox after `req`, or null when that is already so (a share or transfer asked again
 * after a crash: the recipient holds it and, for a transfer, the giver no longer does).
 */
export function holdersAfter(record: SandboxRecord, req: HandoffRequest): LogId[] | null {
  const holders = holdersOf(record);
  const has = (id: LogId | undefined) => id !== undefined && holders.includes(id);
  if (req.mode === "release") return holders.filter((h) => h !== req.from);
  if (!req.to) throw new CorralError("INVALID_REQUEST", `${req.mode} needs a recipient (to)`);
  if (req.to === req.from)
    throw new CorralError("INVALID_REQUEST", "a sandbox cannot be handed to its own holder");
  if (has(req.to) && (req.mode === "share" || !has(req.from))) return null;
  if (!has(req.from)) throw new CorralError("FORBIDDEN", `sandbox ${record.id} is not held by ${req.from}`);
  const kept = req.mode === "share" ? holders : holders.filter((h) => h !== req.from);
  return [...new Set([...kept, req.to])];
}

export const sameHolders = (a: readonly LogId[], b: readonly LogId[]) =>
  a.length === b.length && a.every((h, i) => h === b[i]);
