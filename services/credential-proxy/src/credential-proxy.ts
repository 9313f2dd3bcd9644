import { BUCKETS, VAULT_QUEUE, VAULT_RPC, type RpcDef } from "@corral/protocol";
import { openBucket, serve, type Bus, type RpcHandler, type Subscription } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { embeddedSecretStore, loadMasterKey, vaultSecretStore, type SecretStore } from "./secrets.js";
import { createVaultService, type VaultService } from "./vaults.js";
import type { ProxyConfig } from "./config.js";

export interface CredentialProxy {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly vaults: VaultService;
}

export function createCredentialProxy(deps: { bus: Bus; logger: Logger; config: ProxyConfig }): CredentialProxy {
  const { bus, logger, config } = deps;
  const subscriptions: Subscription[] = [];
  let vaults!: VaultService;

  async function secretStore(): Promise<SecretStore> {
    if (config.vault) return vaultSecretStore(config.vault);
    return embeddedSecretStore(await openBucket(bus, BUCKETS.secrets), loadMasterKey(config.masterKey, config.masterKeyFile));
  }

  function on<D extends RpcDef>(def: D, handler: RpcHandler<D>): void {
    subscriptions.push(serve(bus, def, handler, { queue: VAULT_QUEUE }));
  }

  return {
    get vaults() {
      return vaults;
    },
    async start() {
      const secrets = await secretStore();
      vaults = createVaultService(await openBucket(bus, BUCKETS.vault), secrets);
      const R = VAULT_RPC;
      on(R.vaultsCreate, (p) => vaults.createVault(p));
      on(R.vaultsGet, (p) => vaults.getVault(p.vault_id));
      on(R.vaultsUpdate, (p) => vaults.updateVault(p.vault_id, p.params));
      on(R.vaultsList, (p) => vaults.listVaults(p));
      on(R.vaultsArchive, (p) => vaults.archiveVault(p.vault_id));
      on(R.vaultsDelete, (p) => vaults.deleteVault(p.vault_id));
      on(R.credentialsCreate, (p) => vaults.createCredential(p.vault_id, p.params));
      on(R.credentialsGet, (p) => vaults.getCredential(p.vault_id, p.credential_id));
      on(R.credentialsUpdate, (p) => vaults.updateCredential(p.vault_id, p.credential_id, p.params));
      on(R.credentialsList, (p) => vaults.listCredentials(p.vault_id, p));
      on(R.credentialsArchive, (p) => vaults.archiveCredential(p.vault_id, p.credential_id));
      on(R.credentialsDelete, (p) => vaults.deleteCredential(p.vault_id, p.credential_id));
      await bus.nc.flush(); // the subscriptions are live on the server before start() returns
      logger.info({ secrets: secrets.kind }, "credential-proxy started");
    },
    async stop() {
      for (const sub of subscriptions) sub.unsubscribe();
    },
  };
}
