import { createHash } from "node:crypto";
import {
  BUCKETS,
  CredentialId,
  CredentialRecord,
  VaultRecord,
  type CredentialAuth,
  type VaultId,
} from "@corral/protocol";
import { openTypedBucket, retryingBucket, type Bucket, type Bus, type RetryOptions } from "@corral/bus";
import { retryingSecretStore, type SecretStore } from "./secret-store.js";
import { embeddedSecretStore, SealedSecret } from "./embedded-secret-store.js";
import { vaultSecretStore } from "./vault-secret-store.js";
import { loadMasterKey } from "./master-key.js";
import { CredentialSlots } from "./credential-slot-record.js";
import type { ProxyConfig } from "./config.js";

/**
 * Where vaults and credentials live: records in the vault bucket (`v.<vault_id>`, `c.<vault_id>.<id>`,
 * and a uniqueness claim `u.<vault_id>.<hash>` holding the credential's id), secret values in the secret
 * store. The credential-proxy is the only writer of both.
 */
export interface VaultStore {
  vaults: Bucket<VaultRecord>;
  credentials: Bucket<CredentialRecord>;
  claims: Bucket<CredentialId>;
  /** `n.<vault_id>`: the per-vault limit's slots (credential-slots.ts). */
  slots: Bucket<CredentialSlots>;
  secrets: SecretStore;
}

/** The store's handles as opened, before any retry policy: HashiCorp Vault, or sealed values in NATS KV. */
export interface VaultHandles extends Omit<VaultStore, "secrets"> {
  secrets:
    | { kind: "vault"; store: SecretStore }
    | { kind: "embedded"; bucket: Bucket<SealedSecret>; key: Buffer };
}

export async function openVaultHandles(bus: Bus, config: ProxyConfig): Promise<VaultHandles> {
  return {
    vaults: await openTypedBucket(bus, BUCKETS.vault, VaultRecord),
    credentials: await openTypedBucket(bus, BUCKETS.vault, CredentialRecord),
    claims: await openTypedBucket(bus, BUCKETS.vault, CredentialId),
    slots: await openTypedBucket(bus, BUCKETS.vault, CredentialSlots),
    secrets: config.vault
      ? { kind: "vault", store: vaultSecretStore(config.vault) }
      : {
          kind: "embedded",
          bucket: await openTypedBucket(bus, BUCKETS.secrets, SealedSecret),
          key: loadMasterKey(config.masterKey, config.masterKeyFile),
        },
  };
}

/** The store with every call to NATS and to the secret backend retried within `retry`. */
export function vaultStore(handles: VaultHandles, retry: RetryOptions): VaultStore {
  const { secrets } = handles;
  return {
    vaults: retryingBucket(handles.vaults, retry),
    credentials: retryingBucket(handles.credentials, retry),
    claims: retryingBucket(handles.claims, retry),
    slots: retryingBucket(handles.slots, retry),
    secrets:
      secrets.kind === "vault"
        ? retryingSecretStore(secrets.store, retry)
        : embeddedSecretStore(retryingBucket(secrets.bucket, retry), secrets.key),
  };
}

export const vaultKey = (vaultId: VaultId) => `v.${vaultId}`;
export const credentialKey = (vaultId: VaultId, credentialId: CredentialId) => `c.${vaultId}.${credentialId}`;
export const credentialKeys = (vaultId: VaultId) => `c.${vaultId}.*`;
export const secretRef = (vaultId: VaultId, credentialId: CredentialId) => `${vaultId}/${credentialId}`;
export const now = () => new Date().toISOString();

/** One claim per (vault, MCP server URL or secret name): the API's uniqueness rule, race-free. */
export function claimKey(vaultId: VaultId, auth: CredentialAuth): string {
  const name =
    auth.type === "environment_variable" ? `env:${auth.secret_name}` : `mcp:${auth.mcp_server_url}`;
  return `u.${vaultId}.${createHash("sha256").update(name).digest("hex").slice(0, 32)}`;
}

/** The ids of a vault's credentials, live or archived. */
export async function credentialIds(store: VaultStore, vaultId: VaultId): Promise<CredentialId[]> {
  const keys = await store.credentials.keys(credentialKeys(vaultId));
  return keys.map((key) => CredentialId.parse(key.split(".")[2]));
}
