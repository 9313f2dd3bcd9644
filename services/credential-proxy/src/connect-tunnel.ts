import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import { authenticate } from "./sandbox-auth.js";
import { resolveTarget, type Target } from "./egress-target.js";
import { asRefusal } from "./refusal.js";
import { recordBlocked } from "./egress-audit.js";
import { blindTunnel } from "./blind-tunnel.js";
import { parseAuthority } from "./host-header.js";
import type { Interceptor } from "./intercept.js";
import { countEgress, refusalOutcome } from "./metrics.js";
import { failSpan } from "@corral/tracing";
import { inEgressSpan } from "./egress-trace.js";
import { repositoryHostIntercepted } from "./repo-auth.js";
import { connectNetworking } from "./repo-auth-reach.js";

/** The CONNECT target, or a refusal already answered on the socket (null). */
async function allowedTarget(
  deps: EgressDeps,
  sandbox: SandboxContext,
  client: Socket,
  authority: string | undefined,
): Promise<Target | null> {
  const named = /:\d{1,5}$/.test(authority ?? "") ? parseAuthority(authority ?? "", 443) : null;
  if (!named) {
    countEgress("connect", "refused");
    client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    return null;
  }
  const { host, port } = named;
  try {
    const networking = connectNetworking(sandbox, host, port);
    return await resolveTarget(networking, deps.allow, { protocol: "https:", host, port });
  } catch (error) {
    const refusal = asRefusal(error);
    countEgress("connect", refusalOutcome(refusal.status));
    if (refusal.status === 403) recordBlocked(deps, sandbox, { host, method: "CONNECT", refusal });
    client.end(`HTTP/1.1 ${refusal.status} ${refusal.status === 403 ? "Forbidden" : "Bad Gateway"}\r\n\r\n`);
    return null;
  }
}

/** HTTPS through the proxy: a blind tunnel, or intercepted when the session has placeholders. */
export async function proxyConnect(
  deps: EgressDeps,
  interceptor: Interceptor,
  req: IncomingMessage,
  client: Socket,
  head: Buffer,
): Promise<void> {
  client.on("error", () => client.destroy());
  const sandbox = await authenticate(deps, req.headers);
  if (!sandbox) {
    countEgress("connect", "unauthenticated");
    client.end(
      'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corral"\r\n\r\n',
    );
    return;
  }
  const request = { kind: "connect", host: req.url ?? "", method: "CONNECT" } as const;
  await inEgressSpan(deps, sandbox, request, async (span) => {
    const target = await allowedTarget(deps, sandbox, client, req.url);
    if (!target) return failSpan(span, "EGRESS_REFUSED");
    const intercepted =
      sandbox.placeholders.size > 0 || repositoryHostIntercepted(sandbox.repositories, target);
    countEgress("connect", intercepted ? "intercepted" : "tunneled");
    if (intercepted) await interceptor.intercept(sandbox, client, head, target);
    else blindTunnel(client, head, target);
  });
}
