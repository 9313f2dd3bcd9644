import type { IncomingHttpHeaders } from "node:http";
import {
  STORE_RPC,
  SandboxId,
  isId,
  type NetworkingConfig,
  type SessionId,
  type SessionRecord,
} from "@corral/protocol";
import { requestRetrying } from "./retry-policy.js";
import { resolveCredentials } from "./credential-resolution.js";
import { sessionPlaceholders } from "./session-placeholders.js";
import { createScrubber } from "./response-scrub.js";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import { repositoryAuths } from "./repo-auth.js";

const CONTEXT_TTL_MS = 2000;

async function networkingOf(deps: EgressDeps, session: SessionRecord): Promise<NetworkingConfig | undefined> {
  const ref = { environment_id: session.environment_id };
  const environment = await requestRetrying(deps.bus, STORE_RPC.environmentsGet, ref, deps.retry).catch(
    () => null,
  );
  const config = environment?.config;
  return config && "networking" in config ? config.networking : undefined;
}

async function loadContext(
  deps: EgressDeps,
  sandboxId: SandboxId,
  sessionId: SessionId,
): Promise<SandboxContext> {
  const ref = { session_id: sessionId };
  const session = await requestRetrying(deps.bus, STORE_RPC.sessionsGet, ref, deps.retry);
  const networking = await networkingOf(deps, session);
  const credentials = await resolveCredentials(deps.store, session.vault_ids);
  const placeholders = sessionPlaceholders(deps.keys, sessionId, credentials);
  const secrets = new Map<string, string>();
  for (const [placeholder, { secrets: values }] of placeholders)
    if (values.secret_value) secrets.set(values.secret_value, placeholder);
  const repositories = await repositoryAuths(deps, session);
  return { sandboxId, sessionId, networking, placeholders, scrubber: createScrubber(secrets), repositories };
}

/** The session's rules and credentials, briefly cached: a burst of requests reads the session once. */
function cachedContext(
  deps: EgressDeps,
  sandboxId: SandboxId,
  sessionId: SessionId,
): Promise<SandboxContext> {
  const { contexts } = deps;
  const cached = contexts.get(sandboxId);
  if (cached && Date.now() - cached.at < CONTEXT_TTL_MS) return cached.value;
  const value = loadContext(deps, sandboxId, sessionId);
  contexts.set(sandboxId, { at: Date.now(), value });
  value.catch(() => contexts.delete(sandboxId));
  return value;
}

/** The sandbox named by a request's `Proxy-Authorization` (Basic `<sandbox_id>:<token>`), if its token holds. */
export async function authenticate(
  deps: EgressDeps,
  headers: IncomingHttpHeaders,
): Promise<SandboxContext | null> {
  const header = headers["proxy-authorization"];
  if (typeof header !== "string" || !header.startsWith("Basic ")) return null;
  const [sandboxId = "", token = ""] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
  const parsed = SandboxId.safeParse(sandboxId);
  if (!parsed.success || !deps.keys.verify(parsed.data, token)) return null;
  // Read on every request, never cached: a token lives exactly as long as its sandbox is ready.
  const sandbox = await deps.sandboxes.get(parsed.data).catch(() => null);
  const sessionId = sandbox?.value.session_id ?? "";
  if (sandbox?.value.status !== "ready" || !isId("session", sessionId)) return null;
  return cachedContext(deps, parsed.data, sessionId).catch(() => null);
}
