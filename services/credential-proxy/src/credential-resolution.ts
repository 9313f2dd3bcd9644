import type { CredentialAuth, CredentialRecord, VaultId } from "@corral/protocol";
import { credentialIds, credentialKey, now, secretRef, vaultKey, type VaultStore } from "./vault-store.js";
import type { SecretValues } from "./secret-store.js";

/** A credential with its secret values: for the proxy's own use, never sent over any API. */
export interface ResolvedCredential {
  record: CredentialRecord;
  secrets: SecretValues;
}

/** Every live credential of these vaults, with secrets (unknown or archived vaults are skipped). */
export async function resolveCredentials(
  store: VaultStore,
  vaultIds: readonly VaultId[],
): Promise<ResolvedCredential[]> {
  const out: ResolvedCredential[] = [];
  for (const vaultId of vaultIds) {
    const vault = await store.vaults.get(vaultKey(vaultId));
    if (!vault || vault.value.archived_at) continue;
    for (const credentialId of await credentialIds(store, vaultId)) {
      const entry = await store.credentials.get(credentialKey(vaultId, credentialId));
      if (!entry || entry.value.archived_at) continue;
      const secrets = await store.secrets.get(secretRef(vaultId, credentialId));
      if (secrets) out.push({ record: entry.value, secrets });
    }
  }
  return out;
}

/** Replaces a credential's secret values (e.g. after an OAuth refresh), and its shown auth if given. */
export async function storeSecrets(
  store: VaultStore,
  record: CredentialRecord,
  secrets: SecretValues,
  auth?: CredentialAuth,
): Promise<void> {
  await store.secrets.put(secretRef(record.vault_id, record.id), secrets);
  if (!auth) return;
  await store.credentials.update(credentialKey(record.vault_id, record.id), (c) => ({
    ...c,
    auth,
    updated_at: now(),
  }));
}
