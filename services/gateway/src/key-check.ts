import { timingSafeEqual } from "node:crypto";
import { hashKey, type ApiKeyRecord, type KeyBucket } from "./api-keys.js";

export interface KeyCheck {
  /** The key's record when `key` is a live key, else null. */
  check(key: string): ApiKeyRecord | null;
  /** `check`, then, on a miss, the bucket itself: a key made a moment ago works before the watch brings it. */
  lookup(key: string): Promise<ApiKeyRecord | null>;
  stop(): void;
}

/** What this gateway knows of one key; the revision keeps an older read from undoing a newer one. */
interface Known {
  record: ApiKeyRecord | null;
  revision: number;
}

const BOOTSTRAP: ApiKeyRecord = {
  id: "ckey_environment",
  type: "api_key",
  name: "CORRAL_API_KEY",
  hint: "",
  created_at: new Date(0).toISOString(),
  revoked_at: null,
};

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
 * The set of live keys, kept in memory from a watch on the bucket, so authenticating a request costs a
 * hash and a map lookup. `extraKeys` are accepted too (a bootstrap key given in the environment).
 */
export async function watchApiKeys(keys: KeyBucket, extraKeys: readonly string[] = []): Promise<KeyCheck> {
  const known = new Map<string, Known>();
  const extra = extraKeys.filter(Boolean).map((key) => Buffer.from(hashKey(key), "hex"));
  const stop = new AbortController();
  void follow(keys, known, stop.signal);
  for (const hash of await keys.keys()) {
    const entry = await keys.get(hash);
    if (entry) learn(known, hash, { record: entry.value, revision: entry.revision });
  }
  function check(key: string): ApiKeyRecord | null {
    if (!key) return null;
    const hash = hashKey(key);
    const found = liveRecord(known.get(hash)?.record);
    if (found) return found;
    const digest = Buffer.from(hash, "hex");
    return extra.some((e) => timingSafeEqual(e, digest)) ? BOOTSTRAP : null;
  }
  return {
    check,
    async lookup(key) {
      const cached = check(key);
      if (cached || !key) return cached;
      const entry = await keys.get(hashKey(key)).catch(() => null);
      return liveRecord(entry?.value);
    },
    stop: () => stop.abort(),
  };
}
