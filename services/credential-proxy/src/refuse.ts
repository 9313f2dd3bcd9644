import type { ServerResponse } from "node:http";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import { Refusal, asRefusal } from "./refusal.js";
import { recordBlocked } from "./egress-audit.js";
import { countEgress, refusalOutcome } from "./metrics.js";

/** Answers a request the proxy will not send: a policy refusal is recorded, a failure is logged. */
export function refuse(
  deps: EgressDeps,
  sandbox: SandboxContext,
  res: ServerResponse,
  refused: { host: string; method: string; error: unknown },
): void {
  const refusal = asRefusal(refused.error);
  countEgress("http", refusalOutcome(refusal.status));
  if (refusal.status === 403)
    recordBlocked(deps, sandbox, { host: refused.host, method: refused.method, refusal });
  if (!(refused.error instanceof Refusal))
    deps.logger.warn({ err: refused.error, host: refused.host }, "egress request failed");
  if (!res.headersSent) res.writeHead(refusal.status, { "content-type": "text/plain" });
  res.end(`corral egress: ${refusal.message}\n`);
}
