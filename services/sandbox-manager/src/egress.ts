import {
  HOST_RPC,
  hostSubject,
  newId,
  type EgressConfig,
  type SandboxId,
  type SessionId,
} from "@corral/protocol";
import { request, retrying } from "@corral/bus";
import type { Egress } from "./boot.js";
import { SANDBOX_CA_BUNDLE, writeCaBundle } from "./ca-bundle.js";
import type { ManagerBase } from "./context.js";
import { PROXY_SEEN_KEY } from "./bucket-keys.js";

const EGRESS_RPC_TIMEOUT_MS = 5000;
/** While no proxy has answered yet, how often the warm pool asks again at most. */
const PROBE_MAX_DELAY_MS = 2000;

async function fetchConfig(
  ctx: ManagerBase,
  sandboxId: SandboxId,
  sessionId: SessionId | null,
): Promise<EgressConfig> {
  // Asked of this host's credential-proxy alone: its port and addresses are the ones this host's sandboxes reach.
  const config = await request(
    ctx.bus,
    HOST_RPC.egressConfig,
    { sandbox_id: sandboxId, ...(sessionId && { session_id: sessionId }) },
    { subject: hostSubject(HOST_RPC.egressConfig, ctx.config.hostId), timeoutMs: EGRESS_RPC_TIMEOUT_MS },
  );
  if (!ctx.egress.proxyKnown) {
    ctx.egress.proxyKnown = true;
    await ctx.egress.marker
      .create(PROXY_SEEN_KEY, { seen_at: new Date().toISOString() })
      .catch((err: unknown) => ctx.logger.warn({ err }, "could not record that an egress proxy answered"));
  }
  return config;
}

/** The proxy's answer, retried for `egressWaitMs` when this deployment has a proxy that may be restarting. */
function fetchConfigRetrying(ctx: ManagerBase, sandboxId: SandboxId, sessionId: SessionId | null) {
  if (!ctx.egress.proxyKnown) return fetchConfig(ctx, sandboxId, sessionId);
  return retrying(() => fetchConfig(ctx, sandboxId, sessionId), {
    deadlineMs: ctx.config.egressWaitMs,
    signal: ctx.signal,
    onRetry: (err, attempt) =>
      ctx.logger.info({ err, sandbox_id: sandboxId, attempt }, "egress proxy not answering; retrying"),
  });
}

async function toEgress(ctx: ManagerBase, sandboxId: SandboxId, config: EgressConfig): Promise<Egress> {
  await ctx.runtime.allowHostPort(config.port);
  const proxy = `http://${sandboxId}:${config.token}@${await ctx.runtime.networkGateway()}:${config.port}`;
  return {
    placeholders: config.env,
    // git (libcurl) would first try the proxy without credentials; Basic straight away saves a round trip.
    env: {
      ...config.env,
      HTTP_PROXY: proxy,
      HTTPS_PROXY: proxy,
      http_proxy: proxy,
      https_proxy: proxy,
      NO_PROXY: "",
      no_proxy: "",
      GIT_HTTP_PROXY_AUTHMETHOD: "basic",
      SSL_CERT_FILE: SANDBOX_CA_BUNDLE,
      REQUESTS_CA_BUNDLE: SANDBOX_CA_BUNDLE,
      NODE_EXTRA_CA_CERTS: SANDBOX_CA_BUNDLE,
    },
    caBundle: writeCaBundle(ctx.config.stateDir, config.ca_pem),
    repositories: config.repositories,
  };
}

/**
 * The sandbox's only way out: the credential-proxy's egress proxy, with a token for this sandbox alone,
 * the proxy's CA, and placeholders for the session's secret environment variables. Without a
 * credential-proxy answering the sandbox simply has no network (it has no route out of its own).
 */
export async function lookupEgress(
  ctx: ManagerBase,
  sandboxId: SandboxId,
  sessionId: SessionId | null,
): Promise<Egress | null> {
  try {
    return await toEgress(ctx, sandboxId, await fetchConfigRetrying(ctx, sandboxId, sessionId));
  } catch (err) {
    ctx.logger.warn({ err, sandbox_id: sandboxId }, "no egress proxy answered; the sandbox has no network");
    return null;
  }
}

/** Resolves once a credential-proxy answers (asking again with backoff until then); rejects on `signal`. */
export async function egressProxyAnswers(ctx: ManagerBase, signal: AbortSignal): Promise<void> {
  await retrying(() => fetchConfig(ctx, newId("sandbox"), null), {
    deadlineMs: Number.POSITIVE_INFINITY,
    signal,
    maxDelayMs: PROBE_MAX_DELAY_MS,
  });
}
