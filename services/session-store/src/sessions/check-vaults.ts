import { VAULT_RPC, WORKSPACE_HEADER } from "@corral/protocol";
import { request } from "@corral/bus";
import type { StoreState } from "../state.js";
import { callerWorkspace } from "../workspace-scope.js";

/**
 * A session may name only vaults of its own workspace: each is asked of the credential-proxy for the
 * caller's workspace, which answers NOT_FOUND for another's. Internal callers name no workspace.
 */
export async function checkSessionVaults(state: StoreState, vaultIds: readonly string[] | undefined) {
  const workspace = callerWorkspace();
  if (!workspace || !vaultIds?.length) return;
  for (const vault_id of new Set(vaultIds))
    await request(
      state.bus,
      VAULT_RPC.vaultsGet,
      { vault_id },
      { headers: { [WORKSPACE_HEADER]: workspace } },
    );
}
