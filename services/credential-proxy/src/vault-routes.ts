import { VAULT_RPC, WORKSPACE_HEADER, type RpcDef } from "@corral/protocol";
import type { RpcHandler } from "@corral/bus";
import type { VaultStore } from "./vault-store.js";
import type { VaultId } from "@corral/protocol";
import { archiveVault, createVault, deleteVault, listVaults, updateVault } from "./vault-crud.js";
import { archiveCredential, createCredential, deleteCredential, listCredentials } from "./credential-crud.js";
import { getCredential, getVault } from "./vault-lookup.js";
import { updateCredential } from "./credential-update.js";
import type { Serve } from "./serve.js";
import { sealingKeyLoader } from "./sealing-key.js";
import { openCreateParams, openUpdateParams } from "./sealed-params.js";

type Msg = Parameters<RpcHandler<RpcDef>>[1];

/** The workspace a client's request acts for (the gateway names its key's); none from an internal caller. */
const workspaceOfMsg = (msg: Msg): string | undefined => msg.headers?.get(WORKSPACE_HEADER) || undefined;

/**
 * Requests naming a vault of another workspace than the caller's are NOT_FOUND before their handler runs,
 * whatever they ask of it (its credentials too).
 */
function inCallerWorkspace(serve: Serve, store: VaultStore): Serve {
  return (def, handler) =>
    serve(def, async (request, msg) => {
      const workspace = workspaceOfMsg(msg);
      const vaultId = (request as { vault_id?: string }).vault_id;
      if (workspace !== undefined && vaultId) await getVault(store, vaultId as VaultId, workspace);
      return handler(request, msg);
    });
}

/** Every `corral.api.vault.<verb>` subject and the verb that answers it. */
export function serveVaults(serveAll: Serve, store: VaultStore): void {
  const R = VAULT_RPC;
  const serve = inCallerWorkspace(serveAll, store);
  const sealing = sealingKeyLoader(store.secrets);
  serve(R.vaultsCreate, (p, msg) => createVault(store, p, workspaceOfMsg(msg)));
  serve(R.vaultsGet, (p) => getVault(store, p.vault_id));
  serve(R.vaultsUpdate, (p) => updateVault(store, p.vault_id, p.params));
  serve(R.vaultsList, (p, msg) => listVaults(store, p, workspaceOfMsg(msg)));
  serve(R.vaultsArchive, (p) => archiveVault(store, p.vault_id));
  serve(R.vaultsDelete, (p) => deleteVault(store, p.vault_id));
  serve(R.publicKey, async () => (await sealing()).publicKey);
  serve(R.credentialsCreate, async (p) =>
    createCredential(store, p.vault_id, openCreateParams(await sealing(), p.vault_id, p.params)),
  );
  serve(R.credentialsGet, (p) => getCredential(store, p.vault_id, p.credential_id));
  serve(R.credentialsUpdate, async (p) => {
    const params = openUpdateParams(await sealing(), p.vault_id, p.credential_id, p.params);
    return updateCredential(store, p.vault_id, p.credential_id, params);
  });
  serve(R.credentialsList, (p) => listCredentials(store, p.vault_id, p));
  serve(R.credentialsArchive, (p) => archiveCredential(store, p.vault_id, p.credential_id));
  serve(R.credentialsDelete, (p) => deleteCredential(store, p.vault_id, p.credential_id));
}
