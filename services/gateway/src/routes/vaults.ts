import { z } from "zod";
import {
  CredentialCreateParams,
  CredentialId,
  CredentialRecord,
  CredentialUpdateParams,
  VAULT_RPC,
  VaultCreateParams,
  VaultId,
  VaultRecord,
  VaultUpdateParams,
} from "@corral/protocol";
import { resource, topLevelResource } from "./resource.js";
import { route } from "./route.js";
import { createSealed, updateSealed } from "./sealed-credentials.js";
import { PageQuery } from "./schemas.js";

// Secrets go in and never come out: the credential-proxy serves these and never answers with a secret.
const vaults = topLevelResource("vaults", "vault_id", VaultId, VaultRecord);
const VaultPath = vaults.itemPath;

const CredentialPath = z.strictObject({ vault_id: VaultId, credential_id: CredentialId });
const credentials = resource({
  tag: "vaults",
  operation: "vaults.credentials",
  item: "/v1/vaults/:vault_id/credentials/:credential_id",
  collectionPath: VaultPath,
  itemPath: CredentialPath,
  record: CredentialRecord,
});

export const VAULT_ROUTES = [
  vaults.create("Create a vault", VaultCreateParams, VAULT_RPC.vaultsCreate),
  vaults.list("List vaults", PageQuery, VAULT_RPC.vaultsList),
  vaults.retrieve("Get a vault", VAULT_RPC.vaultsGet),
  vaults.update("Update a vault", VaultUpdateParams, VAULT_RPC.vaultsUpdate),
  vaults.delete("Delete a vault and its credentials", VAULT_RPC.vaultsDelete),
  vaults.archive("Archive a vault (its secrets are destroyed)", VAULT_RPC.vaultsArchive),
];

// Create and update seal the credential's auth to the credential-proxy's key before it goes on the bus.
export const CREDENTIAL_ROUTES = [
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/credentials",
    operationId: "vaults.credentials.create",
    summary: "Add a credential (its secret is write-only)",
    tag: "vaults",
    params: VaultPath,
    body: CredentialCreateParams,
    response: CredentialRecord,
    handler: ({ params, body }, { call }) => createSealed(call, params.vault_id, body),
  }),
  credentials.list("List a vault's credentials", PageQuery, VAULT_RPC.credentialsList),
  credentials.retrieve("Get a credential (without its secret)", VAULT_RPC.credentialsGet),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/credentials/:credential_id",
    operationId: "vaults.credentials.update",
    summary: "Update or rotate a credential",
    tag: "vaults",
    params: CredentialPath,
    body: CredentialUpdateParams,
    response: CredentialRecord,
    handler: ({ params, body }, { call }) => updateSealed(call, params.vault_id, params.credential_id, body),
  }),
  credentials.delete("Delete a credential", VAULT_RPC.credentialsDelete),
  credentials.archive("Archive a credential (its secret is destroyed)", VAULT_RPC.credentialsArchive),
];
