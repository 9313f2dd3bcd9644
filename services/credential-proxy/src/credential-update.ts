import {
  applyMetadataPatch,
  CorralError,
  type CredentialAuth,
  type CredentialAuthUpdate,
  type CredentialId,
  type CredentialRecord,
  type CredentialUpdateParams,
  type VaultId,
} from "@corral/protocol";
import { credentialKey, now, secretRef, type VaultStore } from "./vault-store.js";
import { getCredential, writableVault } from "./vault-lookup.js";
import type { SecretValues } from "./secret-store.js";

/** A credential's shown and secret halves, as an update patch changes them. */
interface CredentialParts {
  auth: CredentialAuth;
  secrets: SecretValues;
}

type Patch<T extends CredentialAuthUpdate["type"]> = Extract<CredentialAuthUpdate, { type: T }>;
type Auth<T extends CredentialAuth["type"]> = Extract<CredentialAuth, { type: T }>;

function patchOAuth(
  auth: Auth<"mcp_oauth">,
  secrets: SecretValues,
  patch: Patch<"mcp_oauth">,
): CredentialParts {
  if (patch.access_token) secrets.access_token = patch.access_token;
  if (patch.refresh?.refresh_token) secrets.refresh_token = patch.refresh.refresh_token;
  const endpointAuth = patch.refresh?.token_endpoint_auth;
  if (endpointAuth && endpointAuth.type !== "none") secrets.client_secret = endpointAuth.client_secret;
  const refresh =
    auth.refresh && patch.refresh
      ? {
          ...auth.refresh,
          scope: patch.refresh.scope ?? auth.refresh.scope,
          token_endpoint_auth: endpointAuth ? { type: endpointAuth.type } : auth.refresh.token_endpoint_auth,
        }
      : auth.refresh;
  const expires_at = patch.expires_at === undefined ? auth.expires_at : patch.expires_at;
  return { auth: { ...auth, expires_at, refresh }, secrets };
}

function patchEnvironmentVariable(
  auth: Auth<"environment_variable">,
  secrets: SecretValues,
  patch: Patch<"environment_variable">,
): CredentialParts {
  if (patch.secret_value) secrets.secret_value = patch.secret_value;
  return {
    auth: {
      ...auth,
      networking: patch.networking ?? auth.networking,
      injection_location: { ...auth.injection_location, ...patch.injection_location },
    },
    secrets,
  };
}

/** Applies an auth patch (already checked to be of the credential's type) to both halves. */
function patchAuth(current: CredentialParts, patch: CredentialAuthUpdate | undefined): CredentialParts {
  const { auth } = current;
  const secrets = { ...current.secrets };
  if (patch?.type === "static_bearer" && patch.token) secrets.token = patch.token;
  if (patch?.type === "mcp_oauth" && auth.type === "mcp_oauth") return patchOAuth(auth, secrets, patch);
  if (patch?.type === "environment_variable" && auth.type === "environment_variable")
    return patchEnvironmentVariable(auth, secrets, patch);
  return { auth, secrets };
}

async function updatableCredential(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
  patch: CredentialAuthUpdate | undefined,
): Promise<CredentialRecord> {
  await writableVault(store, vaultId);
  const current = await getCredential(store, vaultId, credentialId);
  if (current.archived_at)
    throw new CorralError("ARCHIVED", `credential ${credentialId} is archived and read-only`);
  if (patch && patch.type !== current.auth.type)
    throw new CorralError("INVALID_REQUEST", `auth.type must stay ${current.auth.type}`);
  return current;
}

export async function updateCredential(
  store: VaultStore,
  vaultId: VaultId,
  credentialId: CredentialId,
  params: CredentialUpdateParams,
): Promise<CredentialRecord> {
  const current = await updatableCredential(store, vaultId, credentialId, params.auth);
  const ref = secretRef(vaultId, credentialId);
  const stored = (await store.secrets.get(ref)) ?? {};
  const next = patchAuth({ auth: current.auth, secrets: stored }, params.auth);
  await store.secrets.put(ref, next.secrets);
  const updated = await store.credentials.update(credentialKey(vaultId, credentialId), (c) => ({
    ...c,
    auth: next.auth,
    display_name: params.display_name === undefined ? c.display_name : params.display_name,
    metadata: applyMetadataPatch(c.metadata, params.metadata),
    updated_at: now(),
  }));
  return updated!.value;
}
