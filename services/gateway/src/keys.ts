import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { BUCKETS, CorralError, newId } from "@corral/protocol";
import { createJson, getJson, openBucket, type Bus, type KV } from "@corral/bus";

/**
 * API keys. Only a SHA-256 of each key is stored (keys are 256-bit random, so a plain hash is enough);
 * the key itself is shown once, when it is created.
 */
export const ApiKeyRecord = z.object({
  id: z.string(),
  type: z.literal("api_key"),
  name: z.string().min(1).max(128),
  /** The key's first characters, so a person can tell keys apart. */
  hint: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

const KEY_PREFIX = "sk-corral-";
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export async function openKeyBucket(bus: Bus): Promise<KV> {
  return openBucket(bus, BUCKETS.apiKeys);
}

/** Creates a key; the returned `key` is the only copy of the secret. */
export async function createApiKey(kv: KV, name: string): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const record: ApiKeyRecord = {
    id: newId("apiKey"),
    type: "api_key",
    name,
    hint: key.slice(0, KEY_PREFIX.length + 4),
    created_at: new Date().toISOString(),
    revoked_at: null,
  };
  const created = await createJson(kv, hashKey(key), record);
  if (created === null) throw new CorralError("CONFLICT", "key collision; try again");
  return { key, record };
}

export async function listApiKeys(kv: KV): Promise<ApiKeyRecord[]> {
  const records: ApiKeyRecord[] = [];
  for await (const hash of await kv.keys()) {
    const entry = await getJson(kv, ApiKeyRecord, hash);
    if (entry) records.push(entry.value);
  }
  return records.sort((a, b) => a.id.localeCompare(b.id));
}

/** Marks a key revoked (by its id or its hint); gateways drop it within their watch latency. */
export async function revokeApiKey(kv: KV, idOrHint: string): Promise<ApiKeyRecord> {
  for await (const hash of await kv.keys()) {
    const entry = await getJson(kv, ApiKeyRecord, hash);
    if (!entry || (entry.value.id !== idOrHint && entry.value.hint !== idOrHint)) continue;
    const revoked = { ...entry.value, revoked_at: entry.value.revoked_at ?? new Date().toISOString() };
    await kv.put(hash, JSON.stringify(revoked));
    return revoked;
  }
  throw new CorralError("NOT_FOUND", `no API key ${idOrHint}`);
}

export interface KeyCheck {
  /** The key's record when `key` is a live key, else null. */
  check(key: string): ApiKeyRecord | null;
  /** `check`, then, on a miss, the bucket itself: a key made a moment ago works before the watch brings it. */
  lookup(key: string): Promise<ApiKeyRecord | null>;
  stop(): void;
}

/**
 * The set of live keys, kept in memory from a watch on the bucket, so authenticating a request costs a
 * hash and a map lookup. `extraKeys` are accepted too (a bootstrap key given in the environment).
 */
export async function watchApiKeys(kv: KV, extraKeys: readonly string[] = []): Promise<KeyCheck> {
  const live = new Map<string, ApiKeyRecord>();
  const extra = extraKeys.filter(Boolean).map((key) => Buffer.from(hashKey(key), "hex"));
  const watcher = await kv.watch();
  let ready!: () => void;
  const initial = new Promise<void>((resolve) => (ready = resolve));
  void (async () => {
    for await (const entry of watcher) {
      if (entry.operation === "PUT") {
        const parsed = ApiKeyRecord.safeParse(JSON.parse(entry.string()));
        if (parsed.success && !parsed.data.revoked_at) live.set(entry.key, parsed.data);
        else live.delete(entry.key);
      } else live.delete(entry.key);
      if (entry.delta === 0) ready();
    }
  })();
  // An empty bucket yields no entry at all; the watch is current as soon as it is open.
  const status = await kv.status();
  if (status.values === 0) ready();
  await initial;
  const bootstrap: ApiKeyRecord = {
    id: "ckey_environment",
    type: "api_key",
    name: "CORRAL_API_KEY",
    hint: "",
    created_at: new Date(0).toISOString(),
    revoked_at: null,
  };
  function check(key: string): ApiKeyRecord | null {
    if (!key) return null;
    const hash = hashKey(key);
    const found = live.get(hash);
    if (found) return found;
    const digest = Buffer.from(hash, "hex");
    return extra.some((e) => timingSafeEqual(e, digest)) ? bootstrap : null;
  }
  return {
    check,
    async lookup(key) {
      const cached = check(key);
      if (cached || !key) return cached;
      const entry = await kv.get(hashKey(key)).catch(() => null);
      if (!entry || entry.operation !== "PUT" || entry.length === 0) return null;
      const parsed = ApiKeyRecord.safeParse(JSON.parse(entry.string()));
      return parsed.success && !parsed.data.revoked_at ? parsed.data : null;
    },
    stop: () => watcher.stop(),
  };
}
