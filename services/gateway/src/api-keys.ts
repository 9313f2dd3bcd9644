import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { ApiKeyId, BUCKETS, CorralError, newId } from "@corral/protocol";
import { openTypedBucket, type Bucket, type Bus } from "@corral/bus";

/**
 * API keys. Only a SHA-256 of each key is stored (keys are 256-bit random, so a plain hash is enough);
 * the key itself is shown once, when it is created. The gateway is the only writer of the bucket.
 */
export const ApiKeyRecord = z.object({
  id: ApiKeyId,
  type: z.literal("api_key"),
  name: z.string().min(1).max(128),
  /** The key's first characters, so a person can tell keys apart. */
  hint: z.string(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** The key bucket: SHA-256 of a key (hex) → its record. */
export type KeyBucket = Bucket<ApiKeyRecord>;

const KEY_PREFIX = "sk-corral-";
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

export function openKeyBucket(bus: Bus): Promise<KeyBucket> {
  return openTypedBucket(bus, BUCKETS.apiKeys, ApiKeyRecord);
}

/** Creates a key; the returned `key` is the only copy of the secret. */
export async function createApiKey(
  keys: KeyBucket,
  name: string,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const record: ApiKeyRecord = {
    id: newId("apiKey"),
    type: "api_key",
    name,
    hint: key.slice(0, KEY_PREFIX.length + 4),
    created_at: new Date().toISOString(),
    revoked_at: null,
  };
  if ((await keys.create(hashKey(key), record)) === null)
    throw new CorralError("CONFLICT", "key collision; try again");
  return { key, record };
}

async function entries(keys: KeyBucket): Promise<{ hash: string; record: ApiKeyRecord }[]> {
  const out: { hash: string; record: ApiKeyRecord }[] = [];
  for (const hash of await keys.keys()) {
    const entry = await keys.get(hash);
    if (entry) out.push({ hash, record: entry.value });
  }
  return out;
}

export async function listApiKeys(keys: KeyBucket): Promise<ApiKeyRecord[]> {
  return (await entries(keys)).map((e) => e.record).sort((a, b) => a.id.localeCompare(b.id));
}

/** Marks a key revoked (by its id or its hint); gateways drop it within their watch latency. */
export async function revokeApiKey(keys: KeyBucket, idOrHint: string): Promise<ApiKeyRecord> {
  const found = (await entries(keys)).find((e) => e.record.id === idOrHint || e.record.hint === idOrHint);
  if (!found) throw new CorralError("NOT_FOUND", `no API key ${idOrHint}`);
  const revoke = (r: ApiKeyRecord) =>
    r.revoked_at ? undefined : { ...r, revoked_at: new Date().toISOString() };
  const updated = await keys.update(found.hash, revoke);
  if (!updated) throw new CorralError("NOT_FOUND", `no API key ${idOrHint}`);
  return updated.value;
}
