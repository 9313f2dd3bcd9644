import {
  applyMetadataPatch,
  DEFAULT_WORKSPACE,
  newId,
  workspaceOf,
  type VaultCreateParams,
  type VaultId,
  type VaultRecord,
  type VaultUpdateParams,
} from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import { credentialIds, now, vaultKey, type VaultStore } from "./vault-store.js";
import { archiveCredential, deleteCredential } from "./credential-crud.js";
import { getVault, writableVault, type PageQuery } from "./vault-lookup.js";

export async function createVault(
  store: VaultStore,
  params: VaultCreateParams,
  workspace: string = DEFAULT_WORKSPACE,
): Promise<VaultRecord> {
  const t = now();
  const record: VaultRecord = {
    id: newId("vault"),
    type: "vault",
    display_name: params.display_name,
    metadata: params.metadata ?? {},
    created_at: t,
    updated_at: t,
    archived_at: null,
    workspace_id: workspace,
  };
  await store.vaults.put(vaultKey(record.id), record);
  return record;
}

export async function updateVault(
  store: VaultStore,
  vaultId: VaultId,
  params: VaultUpdateParams,
): Promise<VaultRecord> {
  await writableVault(store, vaultId);
  const updated = await store.vaults.update(vaultKey(vaultId), (v) => ({
    ...v,
    display_name: params.display_name ?? v.display_name,
    metadata: applyMetadataPatch(v.metadata, params.metadata),
    updated_at: now(),
  }));
  return updated!.value;
}

/** A page of vaults; with `workspace`, that workspace's alone. */
export function listVaults(
  store: VaultStore,
  query: PageQuery,
  workspace?: string,
): Promise<PageOf<VaultRecord>> {
  return listBucketPage(store.vaults, {
    limit: query.limit,
    page: query.page,
    order: "asc",
    filter: "v.*",
    keep: (v) =>
      (workspace === undefined || workspaceOf(v) === workspace) && (query.include_archived || !v.archived_at),
  });
}

/** Archives the vault and every credential in it (their secrets are destroyed). */
export async function archiveVault(store: VaultStore, vaultId: VaultId): Promise<VaultRecord> {
  const vault = await getVault(store, vaultId);
  if (vault.archived_at) return vault;
  for (const credentialId of await credentialIds(store, vaultId))
    await archiveCredential(store, vaultId, credentialId);
  const updated = await store.vaults.update(vaultKey(vaultId), (v) => ({
    ...v,
    archived_at: now(),
    updated_at: now(),
  }));
  return updated!.value;
}

export async function deleteVault(
  store: VaultStore,
  vaultId: VaultId,
): Promise<{ id: string; type: string }> {
  await getVault(store, vaultId);
  for (const credentialId of await credentialIds(store, vaultId))
    await deleteCredential(store, vaultId, credentialId);
  await store.vaults.purge(vaultKey(vaultId));
  return { id: vaultId, type: "vault_deleted" };
}
