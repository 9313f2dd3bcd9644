import { LeaseRecord, type LogId } from "@corral/protocol";
import type { Bucket } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { leaseTakeovers } from "./metrics.js";
import type { OutageWindow } from "./outage-window.js";

/** The entry schema lives in the protocol: the session-store reads leases to refuse a stale runner's append. */
export const Lease = LeaseRecord;
export type Lease = LeaseRecord;

export interface Leases {
  /** Takes the log's lease if it is free or expired; returns a handle, or null when another holder has it. */
  acquire(logId: LogId): Promise<LeaseHandle | null>;
}

/** What a run needs of its lease: whether it may write now, and a way to wait until it may again. */
export interface Tenure {
  /**
   * True while the lease is certainly still this holder's: not lost, and a heartbeat's time short of the
   * expiry it last wrote. Checked right before every append, so a runner whose renewals stalled (a busy
   * event loop, a NATS leader election) can never write after another replica may have taken over.
   */
  held(): boolean;
  /**
   * Resolves true once a renewal lands again (the run may go on writing), false once the lease is lost.
   * A run that finds its lease not held pauses here instead of giving the log up: a renewal delayed by
   * a leader election lands at the unchanged revision afterwards, unless another holder took it first.
   */
  regained(): Promise<boolean>;
}

export interface LeaseHandle extends Tenure {
  /** Aborts when the lease is lost (another holder took it, or no renewal landed within the pause allowed). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

export interface LeaseTimings {
  ttlMs: number;
  /** How often the holder renews; several renewals fit in one TTL, so one slow or failed renewal is survived. */
  heartbeatMs: number;
  /**
   * How long a renewal may keep failing (NATS away, an election) before the lease is given up. Meanwhile
   * the run pauses: nothing is appended, and a renewal that lands at the unchanged revision resumes it.
   */
  pauseMs: number;
}

async function take(
  bucket: Bucket<Lease>,
  logId: LogId,
  lease: Lease,
  outage?: OutageWindow,
): Promise<number | null> {
  const created = await bucket.create(logId, lease);
  if (created !== null) return created;
  const current = await bucket.get(logId);
  const another = current !== null && current.value.holder !== lease.holder;
  if (another && current.value.expires_at > Date.now()) return null;
  // Expired, but maybe only because the bucket was just away: its holder may be a paused run.
  if (another && outage?.recent()) return null;
  if (!current) return bucket.create(logId, lease);
  const revision = await bucket.replace(logId, lease, current.revision);
  if (revision !== null && current.value.holder !== lease.holder) leaseTakeovers.inc();
  return revision;
}

/** The renewal loop of one held lease; `lost` aborts when it ends. */
function holdLease(
  bucket: Bucket<Lease>,
  logId: LogId,
  lease: { holder: string; revision: number; expiresAt: number },
  timings: LeaseTimings,
  logger?: Logger,
) {
  const lost = new AbortController();
  let waiting: (() => void)[] = [];
  let lastLanded = Date.now();
  let renewing = false;
  const wakeWaiters = () => [waiting, (waiting = [])][0]!.forEach((resume) => resume());
  const giveUp = (why: string) => {
    logger?.warn({ session_id: logId }, why);
    lost.abort();
  };
  const renew = async () => {
    if (renewing || lost.signal.aborted) return;
    renewing = true;
    const next = Date.now() + timings.ttlMs;
    try {
      const renewed = await bucket.replace(logId, { holder: lease.holder, expires_at: next }, lease.revision);
      if (renewed === null) giveUp("lease taken by another holder");
      else [lease.revision, lease.expiresAt, lastLanded] = [renewed, next, Date.now()];
    } catch (err) {
      logger?.warn({ err, session_id: logId }, "lease renewal failed");
      if (Date.now() - lastLanded > timings.pauseMs) giveUp("lease not renewed within the pause allowed");
    }
    renewing = false;
    if (!lost.signal.aborted && Date.now() < lease.expiresAt - timings.heartbeatMs) wakeWaiters();
  };
  const timer = setInterval(() => void renew(), timings.heartbeatMs);
  lost.signal.addEventListener("abort", () => [clearInterval(timer), wakeWaiters()], { once: true });
  const held = () => !lost.signal.aborted && Date.now() < lease.expiresAt - timings.heartbeatMs;
  return {
    lost,
    held,
    regained: () =>
      held() || lost.signal.aborted
        ? Promise.resolve(held())
        : new Promise<boolean>((resolve) => waiting.push(() => resolve(held()))),
  };
}

/**
 * One runner per log across all replicas: a KV entry per log, taken with create or a revision-checked
 * update of an expired entry, and renewed by heartbeat. A renewal that fails for a moment (a NATS leader
 * election) is tried again while the run pauses; the lease is given up only when another holder took it
 * or when no renewal landed within `pauseMs`. The bucket's guarded writes are repeatable (see the bus's
 * resilient-bucket.ts), so a renewal whose answer was lost is never taken for another holder's.
 */
export function createLeases(
  bucket: Bucket<Lease>,
  holder: string,
  timings: LeaseTimings,
  logger?: Logger,
  outage?: OutageWindow,
): Leases {
  return {
    async acquire(logId) {
      const expiresAt = Date.now() + timings.ttlMs;
      const revision = await take(bucket, logId, { holder, expires_at: expiresAt }, outage);
      if (revision === null) return null;
      const lease = { holder, revision, expiresAt };
      const { lost, held, regained } = holdLease(bucket, logId, lease, timings, logger);
      return {
        lost: lost.signal,
        held,
        regained,
        async release() {
          if (lost.signal.aborted) return;
          lost.abort();
          await bucket.delete(logId, lease.revision).catch(() => undefined);
        },
      };
    },
  };
}
