import { createHash } from "node:crypto";
import {
  CorralError,
  CredentialRecord,
  VaultRecord,
  newId,
  type CredentialAuth,
  type CredentialAuthParams,
  type CredentialCreateParams,
  type CredentialUpdateParams,
  type MetadataPatch,
  type VaultCreateParams,
  type VaultUpdateParams,
  type VaultId,
} from "@corral/protocol";
import { createJson, getJson, listPage, putJson, updateJson, type KV, type PageOf } from "@corral/bus";
import type { SecretStore, SecretValues } from "./secrets.js";

export const MAX_CREDENTIALS_PER_VAULT = 20;

const vaultKey = (id: string) => `v.${id}`;
const credentialKey = (vaultId: VaultId, id: string) => `c.${vaultId}.${id}`;
/** One claim per (vault, MCP server URL or secret name): the API's uniqueness rule, race-free. */
const claimKey = (vaultId: VaultId, auth: CredentialAuth) =>
  `u.${vaultId}.${createHash("sha256")
    .update(auth.type === "environment_variable" ? `env:${auth.secret_name}` : `mcp:${auth.mcp_server_url}`)
    .digest("hex")
    .slice(0, 32)}`;
const secretRef = (vaultId: VaultId, id: string) => `${vaultId}/${id}`;

/** Splits create params into what may be shown and what must stay secret. */
function split(auth: CredentialAuthParams): { auth: CredentialAuth; secrets: SecretValues } {
  switch (auth.type) {
    case "static_bearer":
      return {
        auth: { type: "static_bearer", mcp_server_url: auth.mcp_server_url },
        secrets: { token: auth.token },
      };
    case "mcp_oauth": {
      const secrets: SecretValues = { access_token: auth.access_token };
      if (auth.refresh) secrets.refresh_token = auth.refresh.refresh_token;
      if (auth.refresh && auth.refresh.token_endpoint_auth.type !== "none")
        secrets.client_secret = auth.refresh.token_endpoint_auth.client_secret;
      const refresh = auth.refresh
        ? {
            client_id: auth.refresh.client_id,
            token_endpoint: auth.refresh.token_endpoint,
            token_endpoint_auth: { type: auth.refresh.token_endpoint_auth.type },
            scope: auth.refresh.scope ?? null,
            resource: auth.refresh.resource ?? null,
          }
        : null;
      return {
        auth: {
          type: "mcp_oauth",
          mcp_server_url: auth.mcp_server_url,
          expires_at: auth.expires_at ?? null,
          refresh,
        },
        secrets,
      };
    }
    case "environment_variable":
      return {
        auth: {
          type: "environment_variable",
          secret_name: auth.secret_name,
          networking: auth.networking,
          injection_location: {
            header: auth.injection_location?.header ?? true,
            body: auth.injection_location?.body ?? false,
          },
        },
        secrets: { secret_value: auth.secret_value },
      };
  }
}

function patchMetadata(
  current: Record<string, string>,
  patch: MetadataPatch | null | undefined,
): Record<string, string> {
  if (!patch) return current;
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete next[k];
    else next[k] = v;
  }
  if (Object.keys(next).length > 16)
    throw new CorralError("INVALID_REQUEST", "metadata holds at most 16 keys");
  return next;
}

/** A credential with its secret values: for the proxy's own use, never sent over any API. */
export interface ResolvedCredential {
  record: CredentialRecord;
  secrets: SecretValues;
}

export interface VaultService {
  createVault(params: VaultCreateParams): Promise<VaultRecord>;
  getVault(id: string): Promise<VaultRecord>;
  updateVault(id: string, params: VaultUpdateParams): Promise<VaultRecord>;
  listVaults(query: {
    limit: number;
    page?: string | undefined;
    include_archived: boolean;
  }): Promise<PageOf<VaultRecord>>;
  archiveVault(id: string): Promise<VaultRecord>;
  deleteVault(id: string): Promise<{ id: string; type: string }>;
  createCredential(vaultId: VaultId, params: CredentialCreateParams): Promise<CredentialRecord>;
  getCredential(vaultId: VaultId, id: string): Promise<CredentialRecord>;
  updateCredential(vaultId: VaultId, id: string, params: CredentialUpdateParams): Promise<CredentialRecord>;
  listCredentials(
    vaultId: VaultId,
    query: { limit: number; page?: string | undefined; include_archived: boolean },
  ): Promise<PageOf<CredentialRecord>>;
  archiveCredential(vaultId: VaultId, id: string): Promise<CredentialRecord>;
  deleteCredential(vaultId: VaultId, id: string): Promise<{ id: string; type: string }>;
  /** Every live credential of these vaults, with secrets (unknown or archived vaults are skipped). */
  resolve(vaultIds: readonly string[]): Promise<ResolvedCredential[]>;
  /** Replaces a credential's secret values (e.g. after an OAuth refresh). */
  storeSecrets(record: CredentialRecord, secrets: SecretValues, auth?: CredentialAuth): Promise<void>;
}

export function createVaultService(kv: KV, secrets: SecretStore): VaultService {
  const now = () => new Date().toISOString();

  async function getVault(id: string): Promise<VaultRecord> {
    const entry = await getJson(kv, VaultRecord, vaultKey(id));
    if (!entry) throw new CorralError("NOT_FOUND", `vault ${id} not found`);
    return entry.value;
  }

  async function writableVault(id: string): Promise<VaultRecord> {
    const vault = await getVault(id);
    if (vault.archived_at) throw new CorralError("ARCHIVED", `vault ${id} is archived and read-only`);
    return vault;
  }

  async function getCredential(vaultId: VaultId, id: string): Promise<CredentialRecord> {
    const entry = await getJson(kv, CredentialRecord, credentialKey(vaultId, id));
    if (!entry) throw new CorralError("NOT_FOUND", `credential ${id} not found in vault ${vaultId}`);
    return entry.value;
  }

  async function credentialKeys(vaultId: VaultId): Promise<string[]> {
    const keys: string[] = [];
    for await (const key of await kv.keys(`c.${vaultId}.*`)) keys.push(key);
    return keys;
  }

  async function listCredentials(
    vaultId: VaultId,
    query: { limit: number; page?: string | undefined; include_archived: boolean },
  ) {
    await getVault(vaultId);
    return listPage(kv, CredentialRecord, {
      limit: query.limit,
      page: query.page,
      order: "asc",
      filter: `c.${vaultId}.*`,
      keep: (c) => query.include_archived || !c.archived_at,
    });
  }

  async function release(record: CredentialRecord): Promise<void> {
    await kv.purge(claimKey(record.vault_id, record.auth));
    await secrets.delete(secretRef(record.vault_id, record.id));
  }

  async function archiveCredential(vaultId: VaultId, id: string): Promise<CredentialRecord> {
    const current = await getCredential(vaultId, id);
    if (current.archived_at) return current;
    const updated = await updateJson(kv, CredentialRecord, credentialKey(vaultId, id), (c) =>
      c.archived_at ? undefined : { ...c, archived_at: now(), updated_at: now() },
    );
    // An archived credential is never used again: its secret is destroyed, its name may be reused.
    await release(current);
    return updated!.value;
  }

  async function deleteCredential(vaultId: VaultId, id: string) {
    const current = await getCredential(vaultId, id);
    await release(current);
    await kv.purge(credentialKey(vaultId, id));
    return { id, type: "vault_credential_deleted" };
  }

  return {
    async createVault(params) {
      const t = now();
      const record: VaultRecord = {
        id: newId("vault"),
        type: "vault",
        display_name: params.display_name,
        metadata: params.metadata ?? {},
        created_at: t,
        updated_at: t,
        archived_at: null,
      };
      await putJson(kv, vaultKey(record.id), record);
      return record;
    },
    getVault,
    async updateVault(id, params) {
      await writableVault(id);
      const updated = await updateJson(kv, VaultRecord, vaultKey(id), (v) => ({
        ...v,
        display_name: params.display_name ?? v.display_name,
        metadata: patchMetadata(v.metadata, params.metadata),
        updated_at: now(),
      }));
      return updated!.value;
    },
    listVaults: (query) =>
      listPage(kv, VaultRecord, {
        limit: query.limit,
        page: query.page,
        order: "asc",
        filter: "v.*",
        keep: (v) => query.include_archived || !v.archived_at,
      }),
    async archiveVault(id) {
      const vault = await getVault(id);
      if (vault.archived_at) return vault;
      for (const key of await credentialKeys(id)) await archiveCredential(id, key.split(".")[2]!);
      return (await updateJson(kv, VaultRecord, vaultKey(id), (v) => ({
        ...v,
        archived_at: now(),
        updated_at: now(),
      })))!.value;
    },
    async deleteVault(id) {
      await getVault(id);
      for (const key of await credentialKeys(id)) await deleteCredential(id, key.split(".")[2]!);
      await kv.purge(vaultKey(id));
      return { id, type: "vault_deleted" };
    },

    async createCredential(vaultId, params) {
      await writableVault(vaultId);
      if (
        (await listCredentials(vaultId, { limit: 1000, include_archived: false })).data.length >=
        MAX_CREDENTIALS_PER_VAULT
      ) {
        throw new CorralError(
          "INVALID_REQUEST",
          `a vault holds at most ${MAX_CREDENTIALS_PER_VAULT} credentials`,
        );
      }
      const { auth, secrets: values } = split(params.auth);
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
      if ((await createJson(kv, claimKey(vaultId, auth), record.id)) === null) {
        const what =
          auth.type === "environment_variable"
            ? `secret_name ${auth.secret_name}`
            : `mcp_server_url ${auth.mcp_server_url}`;
        throw new CorralError("ALREADY_EXISTS", `vault ${vaultId} already has a credential for ${what}`);
      }
      // Secret first: a record never points at a secret that is not there.
      await secrets.put(secretRef(vaultId, record.id), values);
      await putJson(kv, credentialKey(vaultId, record.id), record);
      return record;
    },
    getCredential,
    async updateCredential(vaultId, id, params) {
      await writableVault(vaultId);
      const current = await getCredential(vaultId, id);
      if (current.archived_at)
        throw new CorralError("ARCHIVED", `credential ${id} is archived and read-only`);
      const patch = params.auth;
      if (patch && patch.type !== current.auth.type)
        throw new CorralError("INVALID_REQUEST", `auth.type must stay ${current.auth.type}`);
      let auth = current.auth;
      const stored = (await secrets.get(secretRef(vaultId, id))) ?? {};
      const values: SecretValues = { ...stored };
      if (patch?.type === "static_bearer" && patch.token) values.token = patch.token;
      if (patch?.type === "mcp_oauth" && auth.type === "mcp_oauth") {
        if (patch.access_token) values.access_token = patch.access_token;
        if (patch.refresh?.refresh_token) values.refresh_token = patch.refresh.refresh_token;
        const endpointAuth = patch.refresh?.token_endpoint_auth;
        if (endpointAuth && endpointAuth.type !== "none") values.client_secret = endpointAuth.client_secret;
        auth = {
          ...auth,
          expires_at: patch.expires_at === undefined ? auth.expires_at : patch.expires_at,
          refresh:
            auth.refresh && patch.refresh
              ? {
                  ...auth.refresh,
                  scope: patch.refresh.scope ?? auth.refresh.scope,
                  token_endpoint_auth: endpointAuth
                    ? { type: endpointAuth.type }
                    : auth.refresh.token_endpoint_auth,
                }
              : auth.refresh,
        };
      }
      if (patch?.type === "environment_variable" && auth.type === "environment_variable") {
        if (patch.secret_value) values.secret_value = patch.secret_value;
        auth = {
          ...auth,
          networking: patch.networking ?? auth.networking,
          injection_location: { ...auth.injection_location, ...patch.injection_location },
        };
      }
      await secrets.put(secretRef(vaultId, id), values);
      const updated = await updateJson(kv, CredentialRecord, credentialKey(vaultId, id), (c) => ({
        ...c,
        auth,
        display_name: params.display_name === undefined ? c.display_name : params.display_name,
        metadata: patchMetadata(c.metadata, params.metadata),
        updated_at: now(),
      }));
      return updated!.value;
    },
    listCredentials,
    archiveCredential,
    deleteCredential,

    async resolve(vaultIds) {
      const out: ResolvedCredential[] = [];
      for (const vaultId of vaultIds) {
        const vault = await getJson(kv, VaultRecord, vaultKey(vaultId));
        if (!vault || vault.value.archived_at) continue;
        for (const key of await credentialKeys(vaultId)) {
          const entry = await getJson(kv, CredentialRecord, key);
          if (!entry || entry.value.archived_at) continue;
          const values = await secrets.get(secretRef(vaultId, entry.value.id));
          if (values) out.push({ record: entry.value, secrets: values });
        }
      }
      return out;
    },
    async storeSecrets(record, values, auth) {
      await secrets.put(secretRef(record.vault_id, record.id), values);
      if (auth)
        await updateJson(kv, CredentialRecord, credentialKey(record.vault_id, record.id), (c) => ({
          ...c,
          auth,
          updated_at: now(),
        }));
    },
  };
}
