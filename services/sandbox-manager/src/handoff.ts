import type { HandoffRequest, SandboxRecord } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { destroy } from "./destroy.js";
import { holdersAfter, holdersOf, sameHolders } from "./holders.js";
import type { OwnedSandbox } from "./sandboxes.js";

/**
 * Changes who holds a sandbox. Idempotent, so a brain that dies mid-handoff can simply ask again: it
 * answers the current record. A release that leaves nobody destroys the container; the workspace
 * volume stays.
 */
export async function handoff(
  ctx: ManagerContext,
  entry: OwnedSandbox,
  req: HandoffRequest,
): Promise<SandboxRecord> {
  const next = holdersAfter(entry.record, req);
  if (next === null || sameHolders(next, holdersOf(entry.record))) return entry.record;
  entry.record = { ...entry.record, holders: next };
  await ctx.records.put(entry.record.id, entry.record);
  ctx.logger.info(
    { sandbox_id: entry.record.id, mode: req.mode, from: req.from, to: req.to },
    "sandbox handed off",
  );
  if (next.length === 0) return destroy(ctx, entry, false);
  return entry.record;
}
