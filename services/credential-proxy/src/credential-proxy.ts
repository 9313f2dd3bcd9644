import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import {
  BUCKETS,
  EGRESS_RPC,
  MCP_RPC,
  STORE_RPC,
  VAULT_QUEUE,
  VAULT_RPC,
  type RpcDef,
} from "@corral/protocol";
import { request } from "@corral/bus";
import { openBucket, serve, type Bus, type RpcHandler, type Subscription } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { embeddedSecretStore, loadMasterKey, vaultSecretStore, type SecretStore } from "./secrets.js";
import { createVaultService, type VaultService } from "./vaults.js";
import type { ProxyConfig } from "./config.js";
import { createCertificateAuthority, createIssuer, type CertificateAuthority } from "./ca.js";
import { egressKeys } from "./policy.js";
import { createEgressProxy, type EgressProxy } from "./egress.js";
import { createMcpGateway } from "./mcp.js";

const DEPLOYMENT_REF = "_corral/egress";

/**
 * The deployment's egress secret and CA, made by the first replica and shared by all through the secret
 * store. Two replicas racing at first start both re-read what was stored last, and use that.
 */
async function deploymentSecrets(secrets: SecretStore): Promise<{ key: Buffer; ca: CertificateAuthority }> {
  let stored = await secrets.get(DEPLOYMENT_REF);
  if (!stored?.key || !stored.ca_cert || !stored.ca_key) {
    const ca = await createCertificateAuthority();
    await secrets.put(DEPLOYMENT_REF, {
      key: randomBytes(32).toString("base64"),
      ca_cert: ca.certPem,
      ca_key: ca.keyPem,
    });
    stored = await secrets.get(DEPLOYMENT_REF);
  }
  return {
    key: Buffer.from(stored!.key!, "base64"),
    ca: { certPem: stored!.ca_cert!, keyPem: stored!.ca_key! },
  };
}

export interface CredentialProxy {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly vaults: VaultService;
}

export function createCredentialProxy(deps: {
  bus: Bus;
  logger: Logger;
  config: ProxyConfig;
}): CredentialProxy {
  const { bus, logger, config } = deps;
  const subscriptions: Subscription[] = [];
  let vaults!: VaultService;
  let egress: EgressProxy | null = null;

  async function secretStore(): Promise<SecretStore> {
    if (config.vault) return vaultSecretStore(config.vault);
    return embeddedSecretStore(
      await openBucket(bus, BUCKETS.secrets),
      loadMasterKey(config.masterKey, config.masterKeyFile),
    );
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

      const deployment = await deploymentSecrets(secrets);
      const keys = egressKeys(deployment.key);
      egress = createEgressProxy({
        bus,
        logger,
        vaults,
        keys,
        issue: createIssuer(deployment.ca),
        options: {
          host: config.egressHost,
          port: config.egressPort,
          upstreamCa: config.upstreamCaFile ? [readFileSync(config.upstreamCaFile, "utf8")] : [],
        },
      });
      const port = await egress.start();
      on(EGRESS_RPC.config, async ({ sandbox_id, session_id }) => {
        const env: Record<string, string> = {};
        if (session_id) {
          const session = await request(bus, STORE_RPC.sessionsGet, { session_id });
          for (const { record } of await vaults.resolve(session.vault_ids)) {
            if (record.auth.type === "environment_variable")
              env[record.auth.secret_name] = keys.placeholder(session_id, record.id);
          }
        }
        return { token: keys.token(sandbox_id), port, ca_pem: deployment.ca.certPem, env };
      });
      logger.info({ port }, "egress proxy listening");

      const mcp = createMcpGateway({
        bus,
        logger,
        vaults,
        ledger: await openBucket(bus, BUCKETS.toolLedger),
      });
      on(MCP_RPC.listTools, async (p) => ({
        tools: await mcp.listTools({ sessionId: p.session_id, threadId: p.thread_id }, p.mcp_server_name),
      }));
      on(MCP_RPC.callTool, (p) =>
        mcp.callTool(
          { sessionId: p.session_id, threadId: p.thread_id },
          p.mcp_server_name,
          p.tool_use_id,
          p.tool,
          p.input,
        ),
      );
      await bus.nc.flush(); // the subscriptions are live on the server before start() returns
      logger.info({ secrets: secrets.kind }, "credential-proxy started");
    },
    async stop() {
      for (const sub of subscriptions) sub.unsubscribe();
      await egress?.stop();
    },
  };
}
