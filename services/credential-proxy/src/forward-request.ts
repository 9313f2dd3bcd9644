import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { request as httpsRequest } from "node:https";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import type { Target } from "./egress-target.js";
import { swapPlaceholders, type SwappedRequest } from "./placeholder-swap.js";
import { endToEndHeaders } from "./hop-by-hop.js";
import { readBody } from "./read-body.js";
import { recordCredentialUses } from "./egress-audit.js";
import { refuse } from "./refuse.js";

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

function answered(deps: EgressDeps, out: OutboundRequest, answer: IncomingMessage): void {
  const status = answer.statusCode ?? 0;
  recordCredentialUses(deps, out.sandbox, {
    used: out.used,
    host: out.target.host,
    method: out.method,
    status,
  });
  out.res.writeHead(answer.statusCode ?? 502, endToEndHeaders(answer.headers));
  answer.pipe(out.res);
}

function failed(deps: EgressDeps, out: OutboundRequest, err: Error): void {
  deps.logger.info({ host: out.target.host, err: err.message }, "upstream request failed");
  recordCredentialUses(deps, out.sandbox, {
    used: out.used,
    host: out.target.host,
    method: out.method,
    status: 0,
  });
  if (!out.res.headersSent) out.res.writeHead(502, { "content-type": "text/plain" });
  out.res.end("corral egress: the upstream request failed\n");
}

function send(deps: EgressDeps, out: OutboundRequest, swapped: SwappedRequest): void {
  const { target } = out;
  const upstream = (target.protocol === "https:" ? httpsRequest : httpRequest)({
    host: target.address,
    servername: target.host,
    port: target.port,
    method: out.method,
    path: out.path,
    headers: swapped.headers,
    ca: deps.upstreamCa,
  });
  upstream.on("response", (answer) => answered(deps, out, answer));
  upstream.on("error", (err) => failed(deps, out, err));
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
    // Bodies are read whole only when the session has placeholders that could be in them.
    const body = out.sandbox.placeholders.size > 0 ? await readBody(out.req) : null;
    const swapped = swapPlaceholders(out.sandbox.placeholders, {
      host: out.target.host,
      path: out.path,
      headers: out.req.headers,
      body,
    });
    out.used = swapped.used;
    send(deps, out, swapped);
  } catch (error) {
    refuse(deps, out.sandbox, out.res, { host: out.target.host, method: out.method, error });
  }
}
