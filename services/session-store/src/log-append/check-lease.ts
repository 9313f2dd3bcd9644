import { BUCKETS, CorralError, LeaseRecord, type LogId } from "@corral/protocol";
import { openResilientBucket, type Bucket, type Bus } from "@corral/bus";
import { BUCKET_DEADLINE_MS } from "../state.js";

/** A lease as last read: while it has not expired, no other runner can have taken it. */
interface KnownLease {
  holder: string;
  expiresAt: number;
}

/**
 * The store's view of the harness's leases (it reads `corral_leases`, never writes it): refuses an append
 * from a runner the log's lease no longer names. A lease read once is trusted until shortly before the
 * expiry it carried (another runner takes a lease only once it has expired), so a busy log costs about
 * one read per lease TTL, not one per append.
 */
export interface LeaseCheck {
  check(logId: LogId, holder: string): Promise<void>;
}

/** Clock skew between the harness's host and the store's allowed for when trusting a read lease. */
const SKEW_MARGIN_MS = 250;
const MAX_KNOWN = 10_000;

function remember(known: Map<string, KnownLease>, logId: LogId, lease: KnownLease): void {
  known.delete(logId);
  if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value!);
  known.set(logId, lease);
}

async function checkHolder(
  leases: Bucket<LeaseRecord>,
  known: Map<string, KnownLease>,
  logId: LogId,
  holder: string,
): Promise<void> {
  const cached = known.get(logId);
  if (cached && cached.holder === holder && Date.now() < cached.expiresAt - SKEW_MARGIN_MS) return;
  const entry = await leases.get(logId);
  if (!entry || entry.value.holder !== holder) {
    known.delete(logId);
    throw new CorralError("FORBIDDEN", `the lease of ${logId} is not held by this runner`, {
      retryable: false,
    });
  }
  remember(known, logId, { holder, expiresAt: entry.value.expires_at });
}

export async function openLeaseCheck(bus: Bus): Promise<LeaseCheck> {
  const leases = await openResilientBucket(bus, BUCKETS.leases, LeaseRecord, {
    deadlineMs: BUCKET_DEADLINE_MS,
  });
  const known = new Map<string, KnownLease>();
  return { check: (logId, holder) => checkHolder(leases, known, logId, holder) };
}
