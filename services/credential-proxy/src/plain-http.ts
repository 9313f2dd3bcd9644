import type { IncomingMessage, ServerResponse } from "node:http";
import { failSpan } from "@corral/tracing";
import type { EgressDeps } from "./egress-context.js";
import { authenticate } from "./sandbox-auth.js";
import { resolveTarget } from "./egress-target.js";
import { forwardRequest } from "./forward-request.js";
import { checkHostHeader } from "./host-header.js";
import { refuse } from "./refuse.js";
import { countEgress } from "./metrics.js";
import { inEgressSpan } from "./egress-trace.js";

function absoluteHttpUrl(raw: string | undefined): URL | null {
  try {
    const url = new URL(raw ?? "");
    return url.protocol === "http:" ? url : null;
  } catch {
    return null;
  }
}

/** Plain HTTP through the proxy: an absolute-form request, checked, swapped and sent on. */
export async function proxyPlainHttp(
  deps: EgressDeps,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const sandbox = await authenticate(deps, req.headers);
  if (!sandbox) {
    countEgress("http", "unauthenticated");
    res.writeHead(407, { "proxy-authenticate": 'Basic realm="corral"', "content-type": "text/plain" });
    res.end("corral egress: proxy authentication required\n");
    return;
  }
  const url = absoluteHttpUrl(req.url);
  if (!url) {
    countEgress("http", "refused");
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("corral egress: send absolute http:// URLs, or CONNECT for https\n");
    return;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const method = req.method ?? "GET";
  await inEgressSpan(deps, sandbox, { kind: "http", host, method }, async (span) => {
    try {
      const destination = { protocol: "http:", host, port: Number(url.port || 80) } as const;
      // Checked before anything else: the audit and the policy name the URL's host, so must the request.
      checkHostHeader(req.headers.host, destination);
      const target = await resolveTarget(sandbox.networking, deps.allow, destination);
      await forwardRequest(deps, { sandbox, req, res, target, path: `${url.pathname}${url.search}` });
    } catch (error) {
      failSpan(span, "EGRESS_REFUSED");
      refuse(deps, sandbox, res, { host, method, error });
    }
  });
}
