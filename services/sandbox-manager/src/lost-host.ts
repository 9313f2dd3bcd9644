import type { Versioned } from "@corral/bus";
import type { SandboxRecord } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { hostLost } from "./presence.js";
import { sandboxesLost } from "./metrics.js";

/** `hostLost`, asked once per host for one answer that reads many records. */
export function hostLossOnce(ctx: ManagerContext): (hostId: string) => Promise<boolean> {
  const known = new Map<string, Promise<boolean>>();
  return (hostId) => {
    const answer = known.get(hostId) ?? hostLost(ctx, hostId);
    known.set(hostId, answer);
    return answer;
  };
}

/**
 * A sandbox record as it stands: a ready sandbox whose host has been silent for `hostLostMs` is lost with
 * it, and recorded so (a returning manager then removes the container instead of re-adopting it). This is
 * what turns "nobody serves its exec" into `SANDBOX_LOST` for a caller that asks `get`.
 */
export async function withHostLoss(
  ctx: ManagerContext,
  entry: Versioned<SandboxRecord>,
  isHostLost: (hostId: string) => Promise<boolean> = (hostId) => hostLost(ctx, hostId),
): Promise<SandboxRecord> {
  const record = entry.value;
  if (record.status !== "ready" || !(await isHostLost(record.host))) return record;
  const seconds = Math.round(ctx.config.hostLostMs / 1000);
  const reason = `its host ${record.host} has not been seen for over ${seconds} s`;
  const lost: SandboxRecord = { ...record, status: "lost", lost_reason: reason };
  if ((await ctx.records.replace(record.id, lost, entry.revision)) === null) {
    const now = await ctx.records.get(record.id);
    return now?.value ?? lost;
  }
  sandboxesLost.inc({ cause: "host" });
  ctx.logger.warn({ sandbox_id: record.id, host: record.host }, "sandbox lost with its host");
  return lost;
}
