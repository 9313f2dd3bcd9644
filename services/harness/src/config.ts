import { hostname } from "node:os";
import { TIMEOUTS } from "@corral/protocol";
import type { RunnerConfig } from "./run-context.js";

export interface HarnessConfig extends RunnerConfig {
  replicaName: string;
  /** Logs one replica runs at once. */
  concurrency: number;
  /** A dead replica's logs move to another after about this long; every other timing follows from it. */
  leaseTtlMs: number;
  /** Delay before a wake for a log leased elsewhere is tried again. */
  busyRetryMs: number;
  /** `full`, or `compacting` (summarise once the context passes `compactAtTokens`). */
  contextStrategy: "full" | "compacting";
  compactAtTokens: number;
}

/**
 * The liveness timings, all set from the lease TTL in this one place: a heartbeat renews the lease and
 * keeps the wake in hand four times per TTL (so one slow or failed beat is survived), the wake's ack wait
 * is the TTL itself, and the liveness sweep looks for expired leases often enough that a log whose
 * runner died is woken again within TTL + 1 s. A run whose renewals fail (NATS away, a leader election)
 * pauses for up to `pauseMs`, six TTLs and at least 30 s (an election takes 5–10 s), before it gives
 * its log up; and for `outageWindowMs` after the lease bucket was away, no other replica takes over or
 * sweeps a lease that expired meanwhile (see outage-window.ts).
 */
export function harnessTimings(leaseTtlMs: number) {
  return {
    ttlMs: leaseTtlMs,
    heartbeatMs: Math.max(50, Math.floor(leaseTtlMs / 4)),
    pauseMs: Math.max(30_000, leaseTtlMs * 6),
    /** After the lease bucket was away: a paused holder's renewal (one short attempt, a backoff) lands within this. */
    outageWindowMs: TIMEOUTS.jsAttemptMs + 1000 + 2 * Math.max(50, Math.floor(leaseTtlMs / 4)),
    ackWaitMs: leaseTtlMs,
    sweep: { everyMs: Math.min(750, Math.max(50, Math.floor(leaseTtlMs / 4))), graceMs: 100 },
  };
}

const num = (value: string | undefined, fallback: number) =>
  value === undefined || value === "" ? fallback : Number(value);

export function harnessConfigFromEnv(env: NodeJS.ProcessEnv): HarnessConfig {
  return {
    replicaName: env.HARNESS_NAME ?? hostname(),
    concurrency: num(env.HARNESS_CONCURRENCY, 64),
    leaseTtlMs: num(env.HARNESS_LEASE_TTL_MS, 5000),
    busyRetryMs: num(env.HARNESS_BUSY_RETRY_MS, 250),
    retryUnavailableMs: num(env.HARNESS_RETRY_UNAVAILABLE_MS, 60_000),
    maxTokens: num(env.MODEL_MAX_TOKENS, 8192),
    maxModelAttempts: num(env.MODEL_MAX_ATTEMPTS, 4),
    retryBaseMs: num(env.MODEL_RETRY_BASE_MS, 1000),
    coupled: env.HARNESS_COUPLED === "1",
    contextStrategy: env.CONTEXT_STRATEGY === "compacting" ? "compacting" : "full",
    compactAtTokens: num(env.COMPACT_AT_TOKENS, 150_000),
  };
}
