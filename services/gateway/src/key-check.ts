import { hashKey, keyHint, newKeyRecord, type ApiKeyRecord, type KeyBucket } from "./api-keys.js";
import { createMissCache } from "./miss-cache.js";

export interface KeyCheck {
  /** The key's record when `key` is a live key, else null. */
  check(key: string): ApiKeyRecord | null;
  /** `check`, then, on a miss, the bucket itself: a key made a moment ago works before the watch brings it. */
  lookup(key: string): Promise<ApiKeyRecord | null>;
  /** How many lookups reached the bucket (a bad key tried again soon after is answered from memory). */
  readonly bucketReads: number;
  stop(): void;
}

/** What this gateway knows of one key; the revision keeps an older read from undoing a newer one. */
interface Known {
  record: ApiKeyRecord | null;
  revision: number;
}

export interface KeyCheckOptions {
  /** How long a key the bucket did not know is answered "no" without asking again. */
  missTtlMs?: number;
  /** How many such keys are remembered (least recently used forgotten first). */
  missEntries?: number;
}

const liveRecord = (record: ApiKeyRecord | null | undefined) =>
  record && !record.revoked_at ? record : null;

function learn(known: Map<string, Known>, hash: string, next: Known): void {
  const current = known.get(hash);
  if (!current || current.revision < next.revision) known.set(hash, next);
}

async function follow(keys: KeyBucket, known: Map<string, Known>, signal: AbortSignal): Promise<void> {
  try {
    for await (const change of keys.watch({ from: "all", signal }))
      learn(known, change.key, { record: change.value, revision: change.revision });
  } catch {
    // The watch ends with the gateway; until then a miss still falls back to the bucket.
  }
}

/**
 * A bootstrap key (given in the environment) is stored, hashed, as a key record of the default workspace the
 * first time a gateway sees it; from then on it is a key like any other, so `keys revoke` revokes it and a
 * revoked record wins over the environment.
 */
export async function storeBootstrapKeys(keys: KeyBucket, bootstrap: readonly string[]): Promise<void> {
  for (const key of bootstrap.filter(Boolean))
    await keys.create(hashKey(key), newKeyRecord("CORRAL_API_KEY", keyHint(key)));
}

/**
 * The set of live keys, kept in memory from a watch on the bucket, so authenticating a request costs a
 * hash and a map lookup. Keys the bucket does not know are remembered briefly (bounded), so a flood of bad
 * keys costs no bucket read each.
 */
export async function watchApiKeys(keys: KeyBucket, options: KeyCheckOptions = {}): Promise<KeyCheck> {
  const known = new Map<string, Known>();
  const misses = createMissCache(options.missEntries ?? 10_000, options.missTtlMs ?? 5_000);
  let bucketReads = 0;
  const stop = new AbortController();
  void follow(keys, known, stop.signal);
  for (const hash of await keys.keys()) {
    const entry = await keys.get(hash);
    if (entry) learn(known, hash, { record: entry.value, revision: entry.revision });
  }
  const check = (key: string) => (key ? liveRecord(known.get(hashKey(key))?.record) : null);
  return {
    check,
    async lookup(key) {
      const cached = check(key);
      if (cached || !key) return cached;
      const hash = hashKey(key);
      if (known.has(hash) || misses.has(hash)) return null;
      bucketReads++;
      const entry = await keys.get(hash).catch(() => null);
      if (!entry) misses.add(hash);
      return liveRecord(entry?.value);
    },
    get bucketReads() {
      return bucketReads;
    },
    stop: () => stop.abort(),
  };
}
