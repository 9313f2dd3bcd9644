import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import type { Target } from "./egress-target.js";
import { swapPlaceholders, type SwappedRequest } from "./placeholder-swap.js";
import { readBody } from "./read-body.js";
import { recordCredentialUses } from "./egress-audit.js";
import { relayAnswer } from "./upstream-answer.js";
import { refuse } from "./refuse.js";
import { countEgress } from "./metrics.js";
import { repositoryAuthorization } from "./repo-auth.js";
import { refuseOutsideRepositories } from "./repo-auth-reach.js";

/** One request on its way out: who sent it, where it goes, and the credentials swapped into it. */
export interface OutboundRequest {
  sandbox: SandboxContext;
  req: IncomingMessage;
  res: ServerResponse;
  target: Target;
  path: string;
  method: string;
  used: ResolvedCredential[];
}

/**
 * Records the request's credential uses exactly once, whatever ends it first: the upstream's answer (its
 * status), an upstream error, reset or silence, or the sandbox giving up (status 0 for all of those).
 */
function auditOnce(deps: EgressDeps, out: OutboundRequest): (status: number) => void {
  let done = false;
  return (status) => {
    if (done) return;
    done = true;
    countEgress("http", status > 0 ? "forwarded" : "no_answer");
    const use = { used: out.used, host: out.target.host, method: out.method, status };
    recordCredentialUses(deps, out.sandbox, use);
  };
}

function failed(deps: EgressDeps, out: OutboundRequest, err: Error): void {
  deps.logger.info({ host: out.target.host, err: err.message }, "upstream request failed");
  if (!out.res.headersSent) out.res.writeHead(502, { "content-type": "text/plain" });
  out.res.end("corral egress: the upstream request failed\n");
}

const authorityOf = ({ host, port, protocol }: Target) =>
  `${host.includes(":") ? `[${host}]` : host}${port === (protocol === "https:" ? 443 : 80) ? "" : `:${port}`}`;

function send(deps: EgressDeps, out: OutboundRequest, swapped: SwappedRequest): void {
  const { target } = out;
  const audit = auditOnce(deps, out);
  // Secrets are hidden in the answer; it must come in a form the proxy can search.
  if (out.sandbox.scrubber) swapped.headers["accept-encoding"] = "identity";
  // The target's name, never the address connected to, when the sandbox sent no Host (HTTP/1.0).
  if (!swapped.headers.host) swapped.headers.host = authorityOf(target);
  const upstream = (target.protocol === "https:" ? httpsRequest : httpRequest)({
    host: target.address,
    servername: target.host,
    port: target.port,
    method: out.method,
    path: out.path,
    headers: swapped.headers,
    ca: deps.upstreamCa,
    // An upstream that sends nothing for this long is given up on (the use recorded with status 0).
    timeout: deps.upstreamIdleMs,
  });
  upstream.on("timeout", () => upstream.destroy(new Error("the upstream did not answer in time")));
  upstream.on("response", (answer) => {
    audit(answer.statusCode ?? 0);
    relayAnswer(answer, out.res, out.sandbox.scrubber, out.method === "HEAD");
  });
  upstream.on("error", (err) => {
    audit(0);
    failed(deps, out, err);
  });
  out.res.on("close", () => {
    audit(0);
    upstream.destroy();
  });
  if (swapped.body) upstream.end(swapped.body);
  else out.req.pipe(upstream);
}

/** Sends one request to its target with placeholders swapped, and answers it on `res`. */
export async function forwardRequest(
  deps: EgressDeps,
  request: Omit<OutboundRequest, "method" | "used">,
): Promise<void> {
  const out: OutboundRequest = { ...request, method: request.req.method ?? "GET", used: [] };
  try {
    refuseOutsideRepositories(out.sandbox, out.target, out.path);
    // Bodies are read whole only when the session has placeholders that could be in them.
    const body = out.sandbox.placeholders.size > 0 ? await readBody(out.req) : null;
    const swapped = swapPlaceholders(out.sandbox.placeholders, {
      target: out.target,
      path: out.path,
      headers: out.req.headers,
      body,
    });
    out.used = swapped.used;
    const repository = repositoryAuthorization(out.sandbox.repositories, out.target, out.path);
    if (repository) swapped.headers.authorization = repository;
    send(deps, out, swapped);
  } catch (error) {
    refuse(deps, out.sandbox, out.res, { host: out.target.host, method: out.method, error });
  }
}
