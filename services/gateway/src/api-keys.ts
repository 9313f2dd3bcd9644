import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { ApiKeyId, BUCKETS, CorralError, DEFAULT_WORKSPACE, newId, WorkspaceId } from "@corral/protocol";
import { openTypedBucket, type Bucket, type Bus } from "@corral/bus";

export const KeyScope = z.enum(["full", "read_only"]);
export type KeyScope = z.infer<typeof KeyScope>;

export interface NewKeyOptions {
  workspace?: string;
  scope?: KeyScope;
}

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
  /** The tenant the key acts for: it sees and makes only this workspace's records. */
  workspace_id: WorkspaceId.default(DEFAULT_WORKSPACE),
  /** `read_only`: GET requests only. */
  scope: KeyScope.default("full"),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** The key bucket: SHA-256 of a key (hex) → its record. */
export type KeyBucket = Bucket<ApiKeyRecord>;

const KEY_PREFIX = "sk-corral-";
export const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");
export const keyHint = (key: string) => key.slice(0, KEY_PREFIX.length + 4);

export function openKeyBucket(bus: Bus): Promise<KeyBucket> {
  return openTypedBucket(bus, BUCKETS.apiKeys, ApiKeyRecord);
}

/** Creates a key; the returned `key` is the only copy of the secret. */
export async function createApiKey(
  keys: KeyBucket,
  name: string,
  options: NewKeyOptions = {},
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  const record = newKeyRecord(name, keyHint(key), options);
  if ((await keys.create(hashKey(key), record)) === null)
    throw new CorralError("CONFLICT", "key collision; try again");
  return { key, record };
}

export function newKeyRecord(name: string, hint: string, options: NewKeyOptions = {}): ApiKeyRecord {
  const workspace = WorkspaceId.safeParse(options.workspace ?? DEFAULT_WORKSPACE);
  if (!workspace.success) throw new CorralError("INVALID_REQUEST", "workspace: 1-64 letters, digits, _ or -");
  return {
    id: newId("apiKey"),
    type: "api_key",
    name,
    hint,
    created_at: new Date().toISOString(),
    revoked_at: null,
    workspace_id: workspace.data,
    scope: options.scope ?? "full",
  };
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
