import { z } from "zod";
import { workspaceField } from "./workspaces.js";
import { RecordTimestamps } from "./record-timestamps.js";
import { HttpUrl, Timestamp } from "./primitives.js";
import { CredentialId, VaultId } from "./ids.js";
import { Metadata } from "./agents.js";
import { MetadataPatch } from "./sessions.js";
import { defineRpc } from "./rpc-def.js";
import { SealedBox, SealingPublicKey, sealTo } from "./sealed-box.js";

// Vaults and credentials as in the Managed Agents API. Secret values (tokens, client secrets,
// `secret_value`) are accepted on create and update and never returned by anything.

const Secret = z.string().min(1).max(16_384);
/** A hostname, an IPv4 address, or a `*.` wildcard over a domain; optionally `:port` (else 443 alone). */
export const HostPattern = z
  .string()
  .min(1)
  .max(259)
  .regex(
    /^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$/,
    "must be a hostname, an IPv4 address or *.domain, optionally with :port",
  );

export const CredentialNetworking = z.discriminatedUnion("type", [
  z.object({ type: z.literal("unrestricted") }),
  z.object({ type: z.literal("limited"), allowed_hosts: z.array(HostPattern).min(1).max(16) }),
]);
export type CredentialNetworking = z.infer<typeof CredentialNetworking>;

const TokenEndpointAuthParams = z.discriminatedUnion("type", [
  z.object({ type: z.literal("none") }),
  z.object({ type: z.literal("client_secret_basic"), client_secret: Secret }),
  z.object({ type: z.literal("client_secret_post"), client_secret: Secret }),
]);
const TokenEndpointAuth = z.object({ type: z.enum(["none", "client_secret_basic", "client_secret_post"]) });

const RefreshParams = z.object({
  refresh_token: Secret,
  client_id: z.string().min(1).max(512),
  token_endpoint: HttpUrl,
  token_endpoint_auth: TokenEndpointAuthParams,
  scope: z.string().max(2048).nullish(),
  resource: z.string().max(2048).nullish(),
});

const SecretName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, "must be an environment variable name");
const InjectionLocation = z.object({ header: z.boolean(), body: z.boolean() });

export const CredentialAuthParams = z.discriminatedUnion("type", [
  z.object({ type: z.literal("static_bearer"), mcp_server_url: HttpUrl, token: Secret }),
  z.object({
    type: z.literal("mcp_oauth"),
    mcp_server_url: HttpUrl,
    access_token: Secret,
    expires_at: Timestamp.nullish(),
    refresh: RefreshParams.nullish(),
  }),
  z.object({
    type: z.literal("environment_variable"),
    secret_name: SecretName,
    secret_value: Secret,
    networking: CredentialNetworking,
    injection_location: InjectionLocation.partial().optional(),
  }),
]);
export type CredentialAuthParams = z.infer<typeof CredentialAuthParams>;

export const CredentialAuthUpdate = z.discriminatedUnion("type", [
  z.object({ type: z.literal("static_bearer"), token: Secret.nullish() }),
  z.object({
    type: z.literal("mcp_oauth"),
    access_token: Secret.nullish(),
    expires_at: Timestamp.nullish(),
    refresh: z
      .object({
        refresh_token: Secret.nullish(),
        scope: z.string().max(2048).nullish(),
        token_endpoint_auth: TokenEndpointAuthParams.optional(),
      })
      .nullish(),
  }),
  z.object({
    type: z.literal("environment_variable"),
    secret_value: Secret.nullish(),
    networking: CredentialNetworking.nullish(),
    injection_location: InjectionLocation.partial().optional(),
  }),
]);
export type CredentialAuthUpdate = z.infer<typeof CredentialAuthUpdate>;

/** What the API shows of a credential's auth: everything but the secrets. */
export const CredentialAuth = z.discriminatedUnion("type", [
  z.object({ type: z.literal("static_bearer"), mcp_server_url: HttpUrl }),
  z.object({
    type: z.literal("mcp_oauth"),
    mcp_server_url: HttpUrl,
    expires_at: Timestamp.nullable(),
    refresh: z
      .object({
        client_id: z.string(),
        token_endpoint: HttpUrl,
        token_endpoint_auth: TokenEndpointAuth,
        scope: z.string().nullable(),
        resource: z.string().nullable(),
      })
      .nullable(),
  }),
  z.object({
    type: z.literal("environment_variable"),
    secret_name: SecretName,
    networking: CredentialNetworking,
    injection_location: InjectionLocation,
  }),
]);
export type CredentialAuth = z.infer<typeof CredentialAuth>;

export const VaultCreateParams = z.object({
  display_name: z.string().min(1).max(255),
  metadata: Metadata.optional(),
});
export type VaultCreateParams = z.infer<typeof VaultCreateParams>;
export const VaultUpdateParams = z.object({
  display_name: z.string().min(1).max(255).nullish(),
  metadata: MetadataPatch.nullish(),
});
export type VaultUpdateParams = z.infer<typeof VaultUpdateParams>;

export const VaultRecord = z.object({
  id: VaultId,
  type: z.literal("vault"),
  display_name: z.string(),
  metadata: Metadata,
  ...RecordTimestamps,
  ...workspaceField,
});
export type VaultRecord = z.infer<typeof VaultRecord>;

export const CredentialCreateParams = z.object({
  auth: CredentialAuthParams,
  display_name: z.string().max(255).nullish(),
  metadata: Metadata.optional(),
});
export type CredentialCreateParams = z.infer<typeof CredentialCreateParams>;
export const CredentialUpdateParams = z.object({
  auth: CredentialAuthUpdate.optional(),
  display_name: z.string().max(255).nullish(),
  metadata: MetadataPatch.nullish(),
});
export type CredentialUpdateParams = z.infer<typeof CredentialUpdateParams>;

export const CredentialRecord = z.object({
  id: CredentialId,
  type: z.literal("vault_credential"),
  vault_id: VaultId,
  display_name: z.string().nullable(),
  metadata: Metadata,
  auth: CredentialAuth,
  ...RecordTimestamps,
});
export type CredentialRecord = z.infer<typeof CredentialRecord>;

const VaultPageQuery = z.object({
  limit: z.number().int().min(1).max(1000).default(100),
  page: z.string().max(200).optional(),
  include_archived: z.boolean().default(false),
});
const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_page: z.string().nullable() });
const VaultRef = z.object({ vault_id: VaultId });
const CredentialRef = z.object({ vault_id: VaultId, credential_id: CredentialId });
const Deleted = z.object({ id: z.string(), type: z.string() });

const vault = (verb: string) => `corral.api.vault.${verb}`;

// On the bus a credential's `auth` (where its secrets are) travels sealed to the credential-proxy's key,
// bound to the subject and the record it is for (see sealed-box.ts).
export const SealedCredentialCreateParams = CredentialCreateParams.extend({ auth: SealedBox });
export const SealedCredentialUpdateParams = CredentialUpdateParams.extend({ auth: SealedBox.optional() });
/** What a credential's sealed `auth` is bound to: it opens for this verb and record alone. */
export const credentialSealContext = {
  create: (vaultId: string) => `${vault("credentials.create")}\0${vaultId}`,
  update: (vaultId: string, credentialId: string) =>
    `${vault("credentials.update")}\0${vaultId}/${credentialId}`,
};

/** A create's params as they go on the bus: `auth` sealed to the credential-proxy's key for this vault. */
export function sealCredentialCreate(key: SealingPublicKey, vaultId: string, params: CredentialCreateParams) {
  return { ...params, auth: sealTo(key, credentialSealContext.create(vaultId), JSON.stringify(params.auth)) };
}

/** An update's params as they go on the bus: an `auth` patch sealed for this credential. */
export function sealCredentialUpdate(
  key: SealingPublicKey,
  vaultId: string,
  credentialId: string,
  params: CredentialUpdateParams,
) {
  const { auth, ...rest } = params;
  if (!auth) return rest;
  const context = credentialSealContext.update(vaultId, credentialId);
  return { ...rest, auth: sealTo(key, context, JSON.stringify(auth)) };
}

/** The credential-proxy's vault RPCs, served by every replica in the `credential-proxy` queue group. */
export const VAULT_RPC = {
  vaultsCreate: defineRpc(vault("vaults.create"), VaultCreateParams, VaultRecord),
  vaultsGet: defineRpc(vault("vaults.get"), VaultRef, VaultRecord),
  vaultsUpdate: defineRpc(
    vault("vaults.update"),
    VaultRef.extend({ params: VaultUpdateParams }),
    VaultRecord,
  ),
  vaultsList: defineRpc(vault("vaults.list"), VaultPageQuery, page(VaultRecord)),
  vaultsArchive: defineRpc(vault("vaults.archive"), VaultRef, VaultRecord),
  vaultsDelete: defineRpc(vault("vaults.delete"), VaultRef, Deleted),
  credentialsCreate: defineRpc(
    vault("credentials.create"),
    VaultRef.extend({ params: SealedCredentialCreateParams }),
    CredentialRecord,
  ),
  credentialsGet: defineRpc(vault("credentials.get"), CredentialRef, CredentialRecord),
  credentialsUpdate: defineRpc(
    vault("credentials.update"),
    CredentialRef.extend({ params: SealedCredentialUpdateParams }),
    CredentialRecord,
  ),
  credentialsList: defineRpc(
    vault("credentials.list"),
    VaultPageQuery.extend({ vault_id: VaultId }),
    page(CredentialRecord),
  ),
  credentialsArchive: defineRpc(vault("credentials.archive"), CredentialRef, CredentialRecord),
  credentialsDelete: defineRpc(vault("credentials.delete"), CredentialRef, Deleted),
  /** The key credentials are sealed to on the bus. */
  publicKey: defineRpc(vault("public_key"), z.object({}), SealingPublicKey),
} as const;

export const VAULT_QUEUE = "credential-proxy";

export {
  SealedBox,
  SealingPublicKey,
  generateSealingKey,
  openSealed,
  sealTo,
  sealedKeyId,
  sealingPublicKeyOf,
} from "./sealed-box.js";
