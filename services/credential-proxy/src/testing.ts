import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { connectBus, request, type Bus } from "@corral/bus";
import {
  VAULT_RPC,
  sealCredentialCreate,
  sealCredentialUpdate,
  type CredentialAuthParams,
  type CredentialCreateParams,
  type CredentialRecord,
  type CredentialUpdateParams,
  type VaultId,
  type VaultRecord,
} from "@corral/protocol";
import { stopThenClose, testLogger, busConfigFor } from "@corral/testing";
import { createCredentialProxy, type CredentialProxy } from "./credential-proxy.js";
import { DEFAULT_RETRY_MS, type ProxyConfig } from "./config.js";
import { NO_ALLOWED_ADDRESSES } from "./egress-address.js";

export { parseAllowList } from "./egress-address.js";

export const testProxyConfig = (over: Partial<ProxyConfig> = {}): ProxyConfig => ({
  hostId: hostname(),
  vault: null,
  masterKey: randomBytes(32).toString("base64"),
  masterKeyFile: "/nonexistent",
  egressHost: "0.0.0.0",
  egressPort: 0,
  egressAllowAddresses: NO_ALLOWED_ADDRESSES,
  egressUpstreamIdleMs: 120_000,
  upstreamCaFile: undefined,
  retryMs: DEFAULT_RETRY_MS,
  ...over,
});

/** A credential-proxy in this process on its own NATS connection. */
export async function startCredentialProxy(
  natsUrl: string,
  over: Partial<ProxyConfig> = {},
): Promise<{ proxy: CredentialProxy; config: ProxyConfig; close(): Promise<void> }> {
  const bus = await connectBus(busConfigFor(natsUrl, "credential-proxy"));
  const config = testProxyConfig(over);
  const proxy = createCredentialProxy({
    bus,
    logger: testLogger("credential-proxy"),
    config,
  });
  await proxy.start();
  return { proxy, config, close: stopThenClose(proxy, bus) };
}

/** A new vault holding one credential with `auth`. */
export async function makeVaultCredential(
  bus: Bus,
  displayName: string,
  auth: CredentialAuthParams,
): Promise<{ vault: VaultRecord; credential: CredentialRecord }> {
  const vault = await request(bus, VAULT_RPC.vaultsCreate, { display_name: displayName });
  const credential = await createCredentialOnBus(bus, vault.id, { auth });
  return { vault, credential };
}

/** Creates a credential over the bus as the gateway does: its auth sealed to the credential-proxy's key. */
export async function createCredentialOnBus(
  bus: Bus,
  vaultId: VaultId,
  params: CredentialCreateParams,
): Promise<CredentialRecord> {
  const key = await request(bus, VAULT_RPC.publicKey, {});
  const sealed = sealCredentialCreate(key, vaultId, params);
  return request(bus, VAULT_RPC.credentialsCreate, { vault_id: vaultId, params: sealed });
}

/** Updates a credential over the bus as the gateway does: an auth patch sealed to the credential-proxy's key. */
export async function updateCredentialOnBus(
  bus: Bus,
  vaultId: VaultId,
  credentialId: CredentialRecord["id"],
  params: CredentialUpdateParams,
): Promise<CredentialRecord> {
  const key = await request(bus, VAULT_RPC.publicKey, {});
  const sealed = sealCredentialUpdate(key, vaultId, credentialId, params);
  return request(bus, VAULT_RPC.credentialsUpdate, {
    vault_id: vaultId,
    credential_id: credentialId,
    params: sealed,
  });
}
