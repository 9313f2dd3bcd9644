import {
  HOST_RPC,
  STORE_RPC,
  hostSubject,
  repositoriesToClone,
  type SessionRecord,
  type EgressConfig,
  type EgressConfigRequest,
} from "@corral/protocol";
import type { Bus, RetryOptions } from "@corral/bus";
import { requestRetrying } from "./retry-policy.js";
import type { VaultStore } from "./vault-store.js";
import type { EgressKeys } from "./proxy-keys.js";
import { resolveCredentials } from "./credential-resolution.js";
import { sessionPlaceholders } from "./session-placeholders.js";
import type { Serve } from "./serve.js";

/** What the sandbox-manager sets up a container with: its proxy token, the proxy, the CA, and placeholders. */
export interface EgressConfigDeps {
  bus: Bus;
  store: VaultStore;
  retry: RetryOptions;
  keys: EgressKeys;
  /** Listens on any sandbox bridge made since start (the asking manager's network exists): the port. */
  listen: () => Promise<number>;
  caPem: string;
  /** This host: only its sandbox-manager's requests reach this proxy. */
  hostId: string;
}

/** The session's placeholders and repositories to clone; none for a warm-pool container (no session yet). */
async function sessionPart(deps: EgressConfigDeps, { session_id: sessionId }: EgressConfigRequest) {
  if (!sessionId) return { env: {}, repositories: [] };
  const ref = { session_id: sessionId };
  const session = await requestRetrying(deps.bus, STORE_RPC.sessionsGet, ref, deps.retry);
  return { env: await placeholderEnv(deps, session), repositories: repositoriesToClone(session.resources) };
}

/** The sandbox's environment: each `environment_variable` credential's name → its placeholder. */
async function placeholderEnv(
  deps: EgressConfigDeps,
  session: SessionRecord,
): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  const sessionId = session.id;
  const credentials = await resolveCredentials(deps.store, session.vault_ids);
  for (const [placeholder, { record }] of sessionPlaceholders(deps.keys, sessionId, credentials))
    if (record.auth.type === "environment_variable") env[record.auth.secret_name] = placeholder;
  return env;
}

/**
 * Served on this host's subject only (`corral.api.egress.config.<host>`): the port and addresses are this
 * host's, so a sandbox-manager on another host never gets them. Replicas on one host share the queue group.
 */
export function serveEgressConfig(serve: Serve, deps: EgressConfigDeps): void {
  serve(
    HOST_RPC.egressConfig,
    async (p): Promise<EgressConfig> => ({
      token: deps.keys.token(p.sandbox_id),
      port: await deps.listen(),
      ca_pem: deps.caPem,
      ...(await sessionPart(deps, p)),
    }),
    hostSubject(HOST_RPC.egressConfig, deps.hostId),
  );
}
