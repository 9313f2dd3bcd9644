import { LeaseRecord, type LogId } from "@corral/protocol";
import type { Bucket } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { leaseTakeovers } from "./metrics.js";

/** The entry schema lives in the protocol: the session-store reads leases to refuse a stale runner's append. */
export const Lease = LeaseRecord;
export type Lease = LeaseRecord;

export interface Leases {
  /** Takes the log's lease if it is free or expired; returns a handle, or null when another holder has it. */
  acquire(logId: LogId): Promise<LeaseHandle | null>;
}

export interface LeaseHandle {
  /** Aborts when the lease is lost (a heartbeat found someone else holding it, or could not renew in time). */
  readonly lost: AbortSignal;
  /**
   * True while the lease is certainly still this holder's: not lost, and a heartbeat's time short of the
   * expiry it last wrote. Checked right before every append, so a runner whose renewals stalled (a busy
   * event loop, a NATS restart) can never write after another replica may have taken over.
   */
  held(): boolean;
  release(): Promise<void>;
}

export interface LeaseTimings {
  ttlMs: number;
  /** How often the holder renews; several renewals fit in one TTL, so one slow or failed renewal is survived. */
  heartbeatMs: number;
}

async function take(bucket: Bucket<Lease>, logId: LogId, lease: Lease): Promise<number | null> {
  const created = await bucket.create(logId, lease);
  if (created !== null) return created;
  const current = await bucket.get(logId);
  if (current && current.value.holder !== lease.holder && current.value.expires_at > Date.now()) return null;
  if (!current) return bucket.create(logId, lease);
  const revision = await bucket.replace(logId, lease, current.revision);
  if (revision !== null && current.value.holder !== lease.holder) leaseTakeovers.inc();
  return revision;
}

/**
 * One runner per log across all replicas: a KV entry per log, taken with create or a revision-checked
 * update of an expired entry, and renewed by heartbeat. A renewal that fails for a moment (a NATS leader
 * election) is tried again at the next beat; the lease is given up only when another holder took it or
 * when it could not be renewed before it would expire.
 */
export function createLeases(
  bucket: Bucket<Lease>,
  holder: string,
  timings: LeaseTimings,
  logger?: Logger,
): Leases {
  return {
    async acquire(logId) {
      let expiresAt = Date.now() + timings.ttlMs;
      let revision = await take(bucket, logId, { holder, expires_at: expiresAt });
      if (revision === null) return null;
      const lost = new AbortController();
      let renewing = false;
      const renew = async () => {
        if (renewing) return;
        renewing = true;
        const next = Date.now() + timings.ttlMs;
        const renewed = await bucket
          .replace(logId, { holder, expires_at: next }, revision!)
          .catch((err: unknown) => void logger?.warn({ err, session_id: logId }, "lease renewal failed"));
        if (renewed === null) {
          logger?.warn({ session_id: logId }, "lease taken by another holder");
          lost.abort();
        } else if (renewed !== undefined) [revision, expiresAt] = [renewed, next];
        else if (Date.now() + timings.heartbeatMs >= expiresAt) lost.abort(); // out of time to retry
        renewing = false;
      };
      const timer = setInterval(() => void renew(), timings.heartbeatMs);
      lost.signal.addEventListener("abort", () => clearInterval(timer), { once: true });
      return {
        lost: lost.signal,
        held: () => !lost.signal.aborted && Date.now() < expiresAt - timings.heartbeatMs,
        async release() {
          if (lost.signal.aborted) return;
          lost.abort();
          await bucket.delete(logId, revision!).catch(() => undefined);
        },
      };
    },
  };
}
