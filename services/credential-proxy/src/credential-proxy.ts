import { readFileSync } from "node:fs";
import { BUCKETS, type VaultId } from "@corral/protocol";
import { flush, openTypedBucket, retryingBucket, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ProxyConfig } from "./config.js";
import { openVaultHandles, vaultStore, type VaultStore } from "./vault-store.js";
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
import { retryPolicy, type RetryPolicy } from "./retry-policy.js";
import { sealingKeyLoader } from "./sealing-key.js";

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

/** The store twice: for RPC verbs (answered within the caller's wait) and for requests that may wait longer. */
interface Stores {
  rpc: VaultStore;
  long: VaultStore;
}

async function startEgress(
  deps: Deps,
  stores: Stores,
  retry: RetryPolicy,
  serve: Serve,
): Promise<EgressProxy> {
  const { bus, logger, config } = deps;
  const deployment = await deploymentSecrets(stores.long.secrets);
  const keys = egressKeys(deployment.key);
  const upstreamCa = config.upstreamCaFile ? [readFileSync(config.upstreamCaFile, "utf8")] : [];
  const egress = createEgressProxy({
    bus,
    logger,
    store: stores.long,
    retry: retry.long,
    keys,
    issue: createIssuer(deployment.ca),
    sealing: sealingKeyLoader(stores.long.secrets),
    options: {
      hosts: config.egressHost?.split(",").map((h) => h.trim()) ?? null,
      port: config.egressPort,
      upstreamCa,
      allow: config.egressAllowAddresses,
      upstreamIdleMs: config.egressUpstreamIdleMs,
      hostId: config.hostId,
    },
  });
  const port = await egress.start();
  const caPem = deployment.ca.certPem;
  const listen = () => egress.listen();
  const hostId = config.hostId;
  serveEgressConfig(serve, { bus, store: stores.rpc, retry: retry.rpc, keys, listen, caPem, hostId });
  logger.info({ port, host: hostId }, "egress proxy listening");
  return egress;
}

/** The credential-proxy: vault RPCs, the egress proxy and its config RPC, and MCP calls. */
export function createCredentialProxy(deps: Deps): CredentialProxy {
  const { bus, logger, config } = deps;
  const server = queueServer(bus);
  const retry = retryPolicy(config.retryMs, logger);
  let running: { stores: Stores; egress: EgressProxy } | null = null;
  return {
    vaults: {
      async resolve(vaultIds) {
        if (!running) throw new Error("the credential-proxy has not started");
        return resolveCredentials(running.stores.rpc, vaultIds);
      },
    },
    async start() {
      const handles = await openVaultHandles(bus, config);
      const stores = { rpc: vaultStore(handles, retry.rpc), long: vaultStore(handles, retry.long) };
      serveVaults(server.serve, stores.rpc);
      const egress = await startEgress(deps, stores, retry, server.serve);
      const ledger = retryingBucket(
        await openTypedBucket(bus, BUCKETS.mcpLedger, McpLedgerEntry),
        retry.long,
      );
      const allow = config.egressAllowAddresses;
      serveMcp(server.serve, { bus, logger, store: stores.long, retry: retry.long, ledger, allow });
      running = { stores, egress };
      await flush(bus); // the subscriptions are live on the server before start() returns
      logger.info({ secrets: handles.secrets.kind }, "credential-proxy started");
    },
    async stop() {
      server.stop();
      await running?.egress.stop();
    },
  };
}
