import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { CorralError } from "@corral/protocol";
import type { KV } from "@corral/bus";
import nodeVault from "node-vault";

/** The secret half of a credential: named string values, never returned through any API. */
export type SecretValues = Record<string, string>;

/** Where secret values live. `ref` is `<vault_id>/<credential_id>` (or an internal name such as `ca`). */
export interface SecretStore {
  readonly kind: "embedded" | "vault";
  put(ref: string, values: SecretValues): Promise<void>;
  get(ref: string): Promise<SecretValues | null>;
  delete(ref: string): Promise<void>;
}

const Sealed = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });
const Values = z.record(z.string(), z.string());

/**
 * AES-256-GCM sealed values in a NATS KV bucket. The ref is bound as additional authenticated data, so a
 * sealed value copied to another key does not open.
 */
export function embeddedSecretStore(kv: KV, key: Buffer): SecretStore {
  if (key.length !== 32) throw new CorralError("INVALID_REQUEST", "the master key must be 32 bytes");
  const kvKey = (ref: string) => ref.replaceAll("/", ".");
  return {
    kind: "embedded",
    async put(ref, values) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(ref));
      const data = Buffer.concat([cipher.update(JSON.stringify(values), "utf8"), cipher.final()]);
      const sealed = {
        v: 1,
        iv: iv.toString("base64"),
        tag: cipher.getAuthTag().toString("base64"),
        data: data.toString("base64"),
      };
      await kv.put(kvKey(ref), JSON.stringify(sealed));
    },
    async get(ref) {
      const entry = await kv.get(kvKey(ref));
      if (!entry || entry.operation !== "PUT" || entry.length === 0) return null;
      const sealed = Sealed.parse(JSON.parse(entry.string()));
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
      decipher.setAAD(Buffer.from(ref));
      decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
      try {
        const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]);
        return Values.parse(JSON.parse(plain.toString("utf8")));
      } catch {
        throw new CorralError("INTERNAL", `secret ${ref} does not open with this master key`);
      }
    },
    async delete(ref) {
      await kv.purge(kvKey(ref));
    },
  };
}

/**
 * The master key: `CORRAL_MASTER_KEY` (32 bytes, base64), else a file made once with mode 0600. Replicas
 * on other hosts must be given the same key.
 */
export function loadMasterKey(env: string | undefined, file: string): Buffer {
  if (env) {
    const key = Buffer.from(env, "base64");
    if (key.length !== 32) throw new Error("CORRAL_MASTER_KEY must be 32 bytes, base64-encoded");
    return key;
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
  }
  chmodSync(file, 0o600);
  const key = Buffer.from(readFileSync(file, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
  return key;
}

export interface VaultBackendConfig {
  endpoint: string;
  token: string;
  /** The KV v2 mount, `secret` by default. */
  mount: string;
  /** A path prefix under the mount, `corral` by default. */
  prefix: string;
  namespace?: string | undefined;
}

/** HashiCorp Vault's KV v2 engine through node-vault. */
export function vaultSecretStore(config: VaultBackendConfig): SecretStore {
  const client = nodeVault({
    apiVersion: "v1",
    endpoint: config.endpoint,
    token: config.token,
    ...(config.namespace && { namespace: config.namespace }),
  });
  const path = (kind: "data" | "metadata", ref: string) => `${config.mount}/${kind}/${config.prefix}/${ref}`;
  const status = (error: unknown) => (error as { response?: { statusCode?: number } }).response?.statusCode;
  const unavailable = (error: unknown) =>
    new CorralError("UNAVAILABLE", `vault: ${status(error) ?? (error as Error).message}`, { cause: error });
  return {
    kind: "vault",
    async put(ref, values) {
      await client.write(path("data", ref), { data: values }).catch((error: unknown) => {
        throw unavailable(error);
      });
    },
    async get(ref) {
      try {
        const result = (await client.read(path("data", ref))) as { data?: { data?: unknown } };
        return Values.parse(result.data?.data ?? {});
      } catch (error) {
        if (status(error) === 404) return null;
        throw unavailable(error);
      }
    },
    async delete(ref) {
      await client.delete(path("metadata", ref)).catch((error: unknown) => {
        if (status(error) !== 404) throw unavailable(error);
      });
    },
  };
}
