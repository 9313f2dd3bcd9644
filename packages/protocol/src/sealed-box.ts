import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from "node:crypto";
import { z } from "zod";
import { CorralError } from "./errors.js";

// A sealed box: X25519 with an ephemeral sender key per message, HKDF-SHA256, AES-256-GCM. Only the
// holder of the recipient's private key opens it; the context (e.g. the subject and the vault) is bound
// into the key, so a box made for one place does not open in another.
const VERSION = "v1";
const MAX_SEALED_CHARS = 700_000;
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A value sealed to a recipient's key: `v1.<kid>.<sender key>.<iv>.<ciphertext and tag>`, base64url. */
export const SealedBox = z
  .string({ error: "must be sealed to the credential-proxy's key (corral.api.vault.public_key)" })
  .max(MAX_SEALED_CHARS)
  .regex(
    /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22,}$/,
    "must be sealed to the credential-proxy's key (corral.api.vault.public_key)",
  );
export type SealedBox = z.infer<typeof SealedBox>;

/** A recipient's public key as it is published: raw X25519, base64url, and its id. */
export const SealingPublicKey = z.object({
  alg: z.literal("x25519-hkdf-sha256-aes-256-gcm"),
  kid: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  public_key: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
});
export type SealingPublicKey = z.infer<typeof SealingPublicKey>;

const rawPublic = (key: KeyObject) => Buffer.from(key.export({ format: "jwk" }).x!, "base64url");
const keyId = (raw: Uint8Array) => createHash("sha256").update(raw).digest("base64url").slice(0, 16);
const importPublic = (raw: string) =>
  createPublicKey({ key: { kty: "OKP", crv: "X25519", x: raw }, format: "jwk" });

/** A new recipient key pair; the private key as PKCS#8 PEM, for keeping at rest. */
export function generateSealingKey(): { privateKeyPem: string; publicKey: SealingPublicKey } {
  const { privateKey } = generateKeyPairSync("x25519");
  const privateKeyPem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
  return { privateKeyPem, publicKey: sealingPublicKeyOf(privateKeyPem) };
}

/** The published half of a private key kept as PKCS#8 PEM. */
export function sealingPublicKeyOf(privateKeyPem: string): SealingPublicKey {
  const raw = rawPublic(createPublicKey(createPrivateKey(privateKeyPem)));
  return { alg: "x25519-hkdf-sha256-aes-256-gcm", kid: keyId(raw), public_key: b64(raw) };
}

function boxKey(shared: Buffer, senderRaw: Buffer, recipientRaw: Buffer, context: string): Buffer {
  const salt = Buffer.concat([senderRaw, recipientRaw]);
  return Buffer.from(hkdfSync("sha256", shared, salt, `corral sealed box ${VERSION}\0${context}`, 32));
}

/** Seals `plaintext` to `recipient` for `context`, with a fresh sender key. */
export function sealTo(recipient: SealingPublicKey, context: string, plaintext: string): SealedBox {
  const recipientKey = importPublic(recipient.public_key);
  const sender = generateKeyPairSync("x25519");
  const senderRaw = rawPublic(sender.publicKey);
  const shared = diffieHellman({ privateKey: sender.privateKey, publicKey: recipientKey });
  const key = boxKey(shared, senderRaw, rawPublic(recipientKey), context);
  const iv = randomBytes(12);
  const header = `${VERSION}.${recipient.kid}.${b64(senderRaw)}.${b64(iv)}`;
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(header));
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${header}.${b64(data)}`;
}

/** The kid a box was sealed to. */
export const sealedKeyId = (box: SealedBox) => box.split(".")[1] ?? "";

/**
 * Opens a box sealed to this private key for `context`. A box sealed to another key is CONFLICT (the
 * sender holds an old key and should ask again); a box that does not open is INVALID_REQUEST.
 */
export function openSealed(privateKeyPem: string, context: string, box: SealedBox): string {
  const [version, kid, sender, iv, data] = box.split(".") as [string, string, string, string, string];
  const own = sealingPublicKeyOf(privateKeyPem);
  if (version !== VERSION || kid !== own.kid)
    throw new CorralError("CONFLICT", `sealed to key ${kid}; the current key is ${own.kid}`, {
      retryable: false,
    });
  try {
    const privateKey = createPrivateKey(privateKeyPem);
    const shared = diffieHellman({ privateKey, publicKey: importPublic(sender) });
    const key = boxKey(
      shared,
      Buffer.from(sender, "base64url"),
      rawPublic(createPublicKey(privateKey)),
      context,
    );
    const bytes = Buffer.from(data, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(`${version}.${kid}.${sender}.${iv}`));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new CorralError("INVALID_REQUEST", "the sealed value does not open with this recipient's key");
  }
}
