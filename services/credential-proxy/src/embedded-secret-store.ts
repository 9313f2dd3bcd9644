import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { CorralError } from "@corral/protocol";
import type { Bucket } from "@corral/bus";
import type { SecretStore, SecretValues } from "./secret-store.js";

/** What the secrets bucket holds: one AES-256-GCM sealed value per ref. */
export const SealedSecret = z.object({ v: z.literal(1), iv: z.string(), tag: z.string(), data: z.string() });
export type SealedSecret = z.infer<typeof SealedSecret>;

const Values = z.record(z.string(), z.string());
const bucketKey = (ref: string) => ref.replaceAll("/", ".");

function seal(key: Buffer, ref: string, values: SecretValues): SealedSecret {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(ref));
  const data = Buffer.concat([cipher.update(JSON.stringify(values), "utf8"), cipher.final()]);
  return {
    v: 1,
    iv: iv.toString("base64"),
    tag: cipher.getAuthTag().toString("base64"),
    data: data.toString("base64"),
  };
}

function open(key: Buffer, ref: string, sealed: SealedSecret): SecretValues {
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(sealed.iv, "base64"));
  decipher.setAAD(Buffer.from(ref));
  decipher.setAuthTag(Buffer.from(sealed.tag, "base64"));
  try {
    const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, "base64")), decipher.final()]);
    return Values.parse(JSON.parse(plain.toString("utf8")));
  } catch {
    throw new CorralError("INTERNAL", `secret ${ref} does not open with this master key`);
  }
}

/**
 * AES-256-GCM sealed values in a NATS KV bucket. The ref is bound as additional authenticated data, so a
 * sealed value copied to another key does not open.
 */
export function embeddedSecretStore(bucket: Bucket<SealedSecret>, key: Buffer): SecretStore {
  if (key.length !== 32) throw new CorralError("INVALID_REQUEST", "the master key must be 32 bytes");
  return {
    kind: "embedded",
    async put(ref, values) {
      await bucket.put(bucketKey(ref), seal(key, ref, values));
    },
    async create(ref, values) {
      return (await bucket.create(bucketKey(ref), seal(key, ref, values))) !== null;
    },
    async get(ref) {
      const entry = await bucket.get(bucketKey(ref));
      return entry ? open(key, ref, entry.value) : null;
    },
    delete: (ref) => bucket.purge(bucketKey(ref)),
  };
}
