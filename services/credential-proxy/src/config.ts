import { hostname } from "node:os";
import { join } from "node:path";
import type { VaultBackendConfig } from "./vault-secret-store.js";
import { parseAllowList, type AddressAllowList } from "./egress-address.js";

export interface ProxyConfig {
  /**
   * This Docker host (`CORRAL_HOST_ID`, default the hostname): the egress config is answered for this host
   * alone, so the sandbox-manager beside it (the same id) points its sandboxes at this proxy.
   */
  hostId: string;
  /** The HashiCorp Vault backend when `VAULT_ADDR` is set; otherwise secrets are sealed into NATS KV. */
  vault: VaultBackendConfig | null;
  masterKey: string | undefined;
  masterKeyFile: string;
  /**
   * Where the egress proxy listens: comma-separated addresses, or (unset) the sandbox bridges' own
   * addresses, the gateways through which sandboxes reach it, and nowhere else.
   */
  egressHost: string | undefined;
  /** Non-public addresses (`addr`, `cidr`, `addr:port`) sandboxes and MCP calls may reach anyway. */
  egressAllowAddresses: AddressAllowList;
  /** How long an upstream may send nothing before the proxy gives up on it. */
  egressUpstreamIdleMs: number;
  egressPort: number;
  /** Extra CA certificates (PEM file) the proxy trusts for upstream TLS, besides the system's. */
  upstreamCaFile: string | undefined;
  /** How long a failing dependency (NATS KV, Vault, the session-store) is retried before a request fails. */
  retryMs: number;
}

export const DEFAULT_RETRY_MS = 60_000;

export function proxyConfigFromEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): ProxyConfig {
  return {
    hostId: env.CORRAL_HOST_ID || hostname(),
    vault: env.VAULT_ADDR
      ? {
          endpoint: env.VAULT_ADDR,
          token: env.VAULT_TOKEN ?? "",
          mount: env.VAULT_KV_MOUNT ?? "secret",
          prefix: env.VAULT_PREFIX ?? "corral",
          namespace: env.VAULT_NAMESPACE,
        }
      : null,
    masterKey: env.CORRAL_MASTER_KEY,
    masterKeyFile: env.CORRAL_MASTER_KEY_FILE ?? join(cwd, ".corral", "master.key"),
    egressHost: env.EGRESS_HOST || undefined,
    egressAllowAddresses: parseAllowList(env.EGRESS_ALLOW_ADDRESSES),
    egressUpstreamIdleMs: Number(env.EGRESS_UPSTREAM_IDLE_MS ?? 120_000),
    egressPort: Number(env.EGRESS_PORT ?? 8421),
    upstreamCaFile: env.EGRESS_UPSTREAM_CA_FILE,
    retryMs: Number(env.CREDENTIAL_PROXY_RETRY_MS ?? DEFAULT_RETRY_MS),
  };
}
