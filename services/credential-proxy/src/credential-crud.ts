import {
  CorralError,
  newId,
  type CredentialAuth,
  type CredentialCreateParams,
  type CredentialId,
  type CredentialRecord,
  type VaultId,
} from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import { claimKey, credentialKey, credentialKeys, now, secretRef, type VaultStore } from "./vault-store.js";
import { getCredential, getVault, writableVault, type PageQuery } from "./vault-lookup.js";
import { splitCredential } from "./credential-secrets.js";
import { releaseSlot, reserveSlot } from "./credential-slots.js";
import { isAbandoned } from "./abandoned-create.js";

export { MAX_CREDENTIALS_PER_VAULT } from "./credential-slots.js";

export async function listCredentials(
  store: VaultStore,
  vaultId: VaultId,
  query: PageQuery,
): Promise<PageOf<CredentialRecord>> {
  await getVault(store, vaultId);
  return listBucketPage(store.credentials, {
    limit: query.limit,
    page: query.page,
    order: "asc",
    filter: credentialKeys(vaultId),
    keep: (c) => query.include_archived || !c.archived_at,
  });
}

export async function createCredential(
  store: VaultStore,
  vaultId: VaultId,
  params: CredentialCreateParams,
): Promise<CredentialRecord> {
  await writableVault(store, vaultId);
  const { auth, secrets } = splitCredential(params.auth);
  const t = now();
  const record: CredentialRecord = {
    id: newId("credential"),
    type: "vault_credential",
    vault_id: vaultId,
    display_name: params.display_name ?? null,
    metadata: params.metadata ?? {},
    auth,
    created_at: t,
    updated_at: t,
    archived_at: null,
  };
  await reserveSlot(store, vaultId, record.id);
  try {
    await claimName(store, record);
  } catch (error) {
    await releaseSlot(store, vaultId, record.id);
    throw error;
  }
  try {
    // Secret first: a record never points at a secret that is not there.
    await store.secrets.put(secretRef(vaultId, record.id), secrets);
    await store.credentials.put(credentialKey(vaultId, record.id), record);
  } catch (error) {
    await undoCreate(store, record);
    throw error;
  }
  return record;
}

/** A create that failed half-way gives back what it took: its secret, its name and its slot. */
async function undoCreate(store: VaultStore, record: CredentialRecord): Promise<void> {
  await store.credentials.purge(credentialKey(record.vault_id, record.id));
  await store.secrets.delete(secretRef(record.vault_id, record.id)).catch(() => undefined);
  await releaseClaim(store, record);
  await releaseSlot(store, record.vault_id, record.id);
}

/** Frees the credential's name, if it still holds it (another credential may have taken an abandoned claim). */
async function releaseClaim(store: VaultStore, record: CredentialRecord): Promise<void> {
  const key = claimKey(record.vault_id, record.auth);
  const claim = await store.claims.get(key);
  if (claim?.value === record.id) await store.claims.delete(key, claim.revision);
}

/** Claims the credential's name; a claim left by an archived or abandoned create is taken over. */
async function claimName(store: VaultStore, record: CredentialRecord): Promise<void> {
  const key = claimKey(record.vault_id, record.auth);
  if ((await store.claims.create(key, record.id)) !== null) return;
  const held = await store.claims.get(key);
  if (
    held &&
    (await isAbandoned(store, record.vault_id, held.value)) &&
    (await store.claims.delete(key, held.revision))
  )
    if ((await store.claims.create(key, record.id)) !== null) return;
  throw new CorralError(
    "ALREADY_EXISTS",
    `vault ${record.vault_id} already has a credential for ${nameOf(record.auth)}`,
  );
}

const nameOf = (auth: CredentialAuth) =>
  auth.type === "environment_variable"
    ? `secret_name ${auth.secret_name}`
    : `mcp_server_url ${auth.mcp_server_url}`;

/** Frees the credential's name and slot and destroys its secret. */
async function release(store: VaultStore, record: CredentialRecord): Promise<void> {
  await releaseClaim(store, record);
  await store.secrets.delete(secretRef(record.vault_id, record.id));
  await releaseSlot(store, record.vault_id, record.id);
}

export async function archiveCredential(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<CredentialRecord> {
  const current = await getCredential(store, vaultId, credentialId);
  if (current.archived_at) return current;
  const updated = await store.credentials.update(credentialKey(vaultId, credentialId), (c) =>
    c.archived_at ? undefined : { ...c, archived_at: now(), updated_at: now() },
  );
  // An archived credential is never used again: its secret is destroyed, its name and slot may be reused.
  await release(store, current);
  return updated!.value;
}

export async function deleteCredential(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
): Promise<{ id: string; type: string }> {
  const current = await getCredential(store, vaultId, credentialId);
  await release(store, current);
  await store.credentials.purge(credentialKey(vaultId, credentialId));
  return { id: credentialId, type: "vault_credential_deleted" };
}
