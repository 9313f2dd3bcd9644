import { readFileSync } from "node:fs";
import { BUCKETS, type VaultId } from "@corral/protocol";
import { flush, openTypedBucket, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ProxyConfig } from "./config.js";
import type { SecretStore } from "./secret-store.js";
import { embeddedSecretStore, SealedSecret } from "./embedded-secret-store.js";
import { vaultSecretStore } from "./vault-secret-store.js";
import { loadMasterKey } from "./master-key.js";
import { openVaultStore, type VaultStore } from "./vault-store.js";
import { resolveCredentials, type ResolvedCredential } from "./credential-resolution.js";
import { deploymentSecrets } from "./deployment-secrets.js";
import { createIssuer } from "./ca.js";
import { egressKeys } from "./proxy-keys.js";
import { createEgressProxy, type EgressProxy } from "./egress-proxy.js";
import { queueServer, type Serve } from "./serve.js";
import { serveVaults } from "./vault-routes.js";
import { serveEgressConfig } from "./egress-config.js";
import { serveMcp } from "./mcp-routes.js";
import { McpLedgerEntry } from "./mcp-context.js";

export interface CredentialProxy {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The proxy's own view of credentials with their secrets (for tests; never served). */
  readonly vaults: { resolve(vaultIds: readonly VaultId[]): Promise<ResolvedCredential[]> };
}

interface Deps {
  bus: Bus;
  logger: Logger;
  config: ProxyConfig;
}

async function openSecretStore({ bus, config }: Deps): Promise<SecretStore> {
  if (config.vault) return vaultSecretStore(config.vault);
  const bucket = await openTypedBucket(bus, BUCKETS.secrets, SealedSecret);
  return embeddedSecretStore(bucket, loadMasterKey(config.masterKey, config.masterKeyFile));
}

async function startEgress(deps: Deps, store: VaultStore, serve: Serve): Promise<EgressProxy> {
  const { bus, logger, config } = deps;
  const deployment = await deploymentSecrets(store.secrets);
  const keys = egressKeys(deployment.key);
  const upstreamCa = config.upstreamCaFile ? [readFileSync(config.upstreamCaFile, "utf8")] : [];
  const egress = createEgressProxy({
    bus,
    logger,
    store,
    keys,
    issue: createIssuer(deployment.ca),
    options: { host: config.egressHost, port: config.egressPort, upstreamCa },
  });
  const port = await egress.start();
  serveEgressConfig(serve, { bus, store, keys, port, caPem: deployment.ca.certPem });
  logger.info({ port }, "egress proxy listening");
  return egress;
}

/** The credential-proxy: vault RPCs, the egress proxy and its config RPC, and MCP calls. */
export function createCredentialProxy(deps: Deps): CredentialProxy {
  const { bus, logger } = deps;
  const server = queueServer(bus);
  let running: { store: VaultStore; egress: EgressProxy } | null = null;
  return {
    vaults: {
      async resolve(vaultIds) {
        if (!running) throw new Error("the credential-proxy has not started");
        return resolveCredentials(running.store, vaultIds);
      },
    },
    async start() {
      const secrets = await openSecretStore(deps);
      const store = await openVaultStore(bus, secrets);
      serveVaults(server.serve, store);
      const egress = await startEgress(deps, store, server.serve);
      const ledger = await openTypedBucket(bus, BUCKETS.toolLedger, McpLedgerEntry);
      serveMcp(server.serve, { bus, logger, store, ledger });
      running = { store, egress };
      await flush(bus); // the subscriptions are live on the server before start() returns
      logger.info({ secrets: secrets.kind }, "credential-proxy started");
    },
    async stop() {
      server.stop();
      await running?.egress.stop();
    },
  };
}
