import { setTimeout as sleep } from "node:timers/promises";
import { isLogId } from "@corral/protocol";
import { publishSweepWake, type Bucket, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { Lease } from "./lease.js";
import type { OutageWindow } from "./outage-window.js";

interface SweepDeps {
  bus: Bus;
  leases: Bucket<Lease>;
  logger: Logger;
  stopping: AbortSignal;
  /** The lease bucket's last outage: leases that expired in it are not swept until holders could renew. */
  outage?: OutageWindow;
}

/** A key no lease has: reading it asks the bucket's leader whether it answers at all. */
const PROBE_KEY = "sweep-probe";

/** Every lease as the bucket's watch last showed it: one long-lived watch, no scan per sweep. */
type Known = Map<string, { expiresAt: number; revision: number }>;

async function follow(deps: SweepDeps, known: Known): Promise<void> {
  while (!deps.stopping.aborted) {
    try {
      for await (const change of deps.leases.watch({ from: "all", signal: deps.stopping })) {
        if (change.value)
          known.set(change.key, { expiresAt: change.value.expires_at, revision: change.revision });
        else known.delete(change.key);
      }
    } catch (err) {
      if (!deps.stopping.aborted) deps.logger.warn({ err }, "lease watch failed; watching again");
    }
    await sleep(500, undefined, { signal: deps.stopping }).catch(() => undefined);
  }
}

/**
 * Wakes every log whose lease has expired — its holder died while the log was running — once per orphaned
 * lease between all replicas (the lease's revision dedups the wake), whether or not its wake still exists.
 */
export async function sweepOnce(deps: SweepDeps, known: Known, graceMs: number, woken: Set<string>) {
  let count = 0;
  if (deps.outage) {
    // Through the outage this waits (and notes it); just after it, every holder gets its chance to renew.
    await deps.leases.get(PROBE_KEY);
    if (deps.outage.recent()) return count;
  }
  for (const [logId, lease] of known) {
    const id = `sweep.${logId}.${lease.revision}`;
    if (lease.expiresAt + graceMs >= Date.now() || woken.has(id) || !isLogId(logId)) continue;
    await publishSweepWake(deps.bus, logId, id);
    woken.add(id);
    count++;
  }
  if (count) deps.logger.info({ woken: count }, "liveness sweep woke logs whose runner died");
  return count;
}

/** Liveness is reconciled from durable state, not trusted to one message. */
export async function sweepLiveness(
  deps: SweepDeps,
  options: { everyMs: number; graceMs: number },
): Promise<void> {
  const known: Known = new Map();
  const woken = new Set<string>();
  const following = follow(deps, known);
  while (!deps.stopping.aborted) {
    await sleep(options.everyMs, undefined, { signal: deps.stopping }).catch(() => undefined);
    if (deps.stopping.aborted) break;
    await sweepOnce(deps, known, options.graceMs, woken).catch((err: unknown) =>
      deps.logger.warn({ err }, "liveness sweep failed; trying again at the next"),
    );
    if (woken.size > 10_000) woken.clear();
  }
  await following;
}
