import { generateSealingKey, sealingPublicKeyOf, type SealingPublicKey } from "@corral/protocol";
import type { SecretStore } from "./secret-store.js";

const SEALING_REF = "_corral/sealing";

/** The key credentials are sealed to on the bus: the private half stays here, the public half is served. */
export interface SealingKey {
  privateKeyPem: string;
  publicKey: SealingPublicKey;
}

/**
 * Made by the first replica and kept in the secret store beside the deployment's other secrets, so it
 * survives restarts and every replica holds the same key. Created only if absent, then read back: two
 * replicas racing at first start both use the one that was stored.
 */
export async function loadSealingKey(secrets: SecretStore): Promise<SealingKey> {
  let stored = await secrets.get(SEALING_REF);
  if (!stored?.private_key) {
    await secrets.create(SEALING_REF, { private_key: generateSealingKey().privateKeyPem });
    stored = await secrets.get(SEALING_REF);
  }
  if (!stored?.private_key) throw new Error("the sealing key could not be stored");
  return { privateKeyPem: stored.private_key, publicKey: sealingPublicKeyOf(stored.private_key) };
}

/** The key, loaded on first use and kept; a load that failed is tried again on the next use. */
export function sealingKeyLoader(secrets: SecretStore): () => Promise<SealingKey> {
  let loading: Promise<SealingKey> | null = null;
  return () => {
    loading ??= loadSealingKey(secrets).catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
}
