import {
  CorralError,
  workspaceOf,
  type CredentialId,
  type CredentialRecord,
  type VaultId,
  type VaultRecord,
} from "@corral/protocol";
import { credentialKey, vaultKey, type VaultStore } from "./vault-store.js";

/** A page of a list: `limit` records after the cursor `page`, archived ones only when asked for. */
export interface PageQuery {
  limit: number;
  page?: string | undefined;
  include_archived: boolean;
}

/**
 * The vault; with `workspace` (a client's request names its workspace) a vault of another workspace is
 * NOT_FOUND, never FORBIDDEN, so its existence does not leak.
 */
export async function getVault(
  store: VaultStore,
  vaultId: VaultId,
  workspace?: string,
): Promise<VaultRecord> {
  const entry = await store.vaults.get(vaultKey(vaultId));
  if (!entry || (workspace !== undefined && workspaceOf(entry.value) !== workspace))
    throw new CorralError("NOT_FOUND", `vault ${vaultId} not found`);
  return entry.value;
}

/** The vault, if it may still be changed. */
export async function writableVault(store: VaultStore, vaultId: VaultId): Promise<VaultRecord> {
  const vault = await getVault(store, vaultId);
  if (vault.archived_at) throw new CorralError("ARCHIVED", `vault ${vaultId} is archived and read-only`);
  return vault;
}

export async function getCredential(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<CredentialRecord> {
  const entry = await store.credentials.get(credentialKey(vaultId, credentialId));
  if (!entry) throw new CorralError("NOT_FOUND", `credential ${credentialId} not found in vault ${vaultId}`);
  return entry.value;
}
