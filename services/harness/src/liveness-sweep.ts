import { setTimeout as sleep } from "node:timers/promises";
import { isLogId } from "@corral/protocol";
import { publishSweepWake, type Bucket, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { expiredLeases, type Lease } from "./lease.js";

/**
 * Liveness is reconciled from durable state, not trusted to one message: a lease left to expire means its
 * holder died while the log was running. Each sweep wakes every such log again (one wake between all the
 * replicas that find it: the lease's revision dedups it), whether or not its wake message still exists.
 */
export async function sweepOnce(deps: { bus: Bus; leases: Bucket<Lease>; logger: Logger }, graceMs: number) {
  let woken = 0;
  for (const orphan of await expiredLeases(deps.leases, graceMs)) {
    if (!isLogId(orphan.logId)) continue;
    await publishSweepWake(deps.bus, orphan.logId, `sweep.${orphan.logId}.${orphan.revision}`);
    woken++;
  }
  if (woken) deps.logger.info({ woken }, "liveness sweep woke logs whose runner died");
  return woken;
}

export async function sweepLiveness(
  deps: { bus: Bus; leases: Bucket<Lease>; logger: Logger; stopping: AbortSignal },
  options: { everyMs: number; graceMs: number },
): Promise<void> {
  while (!deps.stopping.aborted) {
    await sleep(options.everyMs, undefined, { signal: deps.stopping }).catch(() => undefined);
    if (deps.stopping.aborted) return;
    await sweepOnce(deps, options.graceMs).catch((err: unknown) =>
      deps.logger.warn({ err }, "liveness sweep failed; trying again at the next"),
    );
  }
}
