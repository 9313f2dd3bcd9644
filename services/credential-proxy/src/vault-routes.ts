import { VAULT_RPC } from "@corral/protocol";
import type { VaultStore } from "./vault-store.js";
import { archiveVault, createVault, deleteVault, listVaults, updateVault } from "./vault-crud.js";
import { archiveCredential, createCredential, deleteCredential, listCredentials } from "./credential-crud.js";
import { getCredential, getVault } from "./vault-lookup.js";
import { updateCredential } from "./credential-update.js";
import type { Serve } from "./serve.js";

/** Every `corral.api.vault.<verb>` subject and the verb that answers it. */
export function serveVaults(serve: Serve, store: VaultStore): void {
  const R = VAULT_RPC;
  serve(R.vaultsCreate, (p) => createVault(store, p));
  serve(R.vaultsGet, (p) => getVault(store, p.vault_id));
  serve(R.vaultsUpdate, (p) => updateVault(store, p.vault_id, p.params));
  serve(R.vaultsList, (p) => listVaults(store, p));
  serve(R.vaultsArchive, (p) => archiveVault(store, p.vault_id));
  serve(R.vaultsDelete, (p) => deleteVault(store, p.vault_id));
  serve(R.credentialsCreate, (p) => createCredential(store, p.vault_id, p.params));
  serve(R.credentialsGet, (p) => getCredential(store, p.vault_id, p.credential_id));
  serve(R.credentialsUpdate, (p) => updateCredential(store, p.vault_id, p.credential_id, p.params));
  serve(R.credentialsList, (p) => listCredentials(store, p.vault_id, p));
  serve(R.credentialsArchive, (p) => archiveCredential(store, p.vault_id, p.credential_id));
  serve(R.credentialsDelete, (p) => deleteCredential(store, p.vault_id, p.credential_id));
}
