import {
  isCorralError,
  sealCredentialCreate,
  sealCredentialUpdate,
  VAULT_RPC,
  type CredentialCreateParams,
  type CredentialId,
  type CredentialRecord,
  type CredentialUpdateParams,
  type SealingPublicKey,
  type VaultId,
} from "@corral/protocol";
import type { Call } from "./route.js";

// The credential-proxy's public key, asked for once and kept: it changes only if the proxy's secret store
// is replaced, and then the proxy refuses a box sealed to the old key (CONFLICT) and it is asked again.
let cached: Promise<SealingPublicKey> | null = null;

function proxyKey(call: Call, fresh: boolean): Promise<SealingPublicKey> {
  if (fresh || !cached) {
    cached = call(VAULT_RPC.publicKey, {}, { idempotent: true });
    cached.catch(() => (cached = null));
  }
  return cached;
}

/** Seals with the proxy's key and calls; once more with the key asked again if the proxy's key changed. */
async function sealedCall<T>(call: Call, send: (key: SealingPublicKey) => Promise<T>): Promise<T> {
  const key = await proxyKey(call, false);
  try {
    return await send(key);
  } catch (error) {
    if (!isCorralError(error, "CONFLICT")) throw error;
    const current = await proxyKey(call, true);
    if (current.kid === key.kid) throw error;
    return send(current);
  }
}

/** Creates a credential; its auth (where the secrets are) goes on the bus sealed to the proxy's key. */
export const createSealed = (call: Call, vaultId: VaultId, params: CredentialCreateParams) =>
  sealedCall<CredentialRecord>(call, (key) =>
    call(VAULT_RPC.credentialsCreate, {
      vault_id: vaultId,
      params: sealCredentialCreate(key, vaultId, params),
    }),
  );

/** Updates a credential; an auth patch goes on the bus sealed to the proxy's key. */
export const updateSealed = (
  call: Call,
  vaultId: VaultId,
  credentialId: CredentialId,
  params: CredentialUpdateParams,
) =>
  sealedCall<CredentialRecord>(call, (key) =>
    call(VAULT_RPC.credentialsUpdate, {
      vault_id: vaultId,
      credential_id: credentialId,
      params: sealCredentialUpdate(key, vaultId, credentialId, params),
    }),
  );
