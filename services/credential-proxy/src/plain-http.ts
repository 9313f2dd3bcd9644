import type { IncomingMessage, ServerResponse } from "node:http";
import type { EgressDeps } from "./egress-context.js";
import { authenticate } from "./sandbox-auth.js";
import { resolveTarget } from "./egress-target.js";
import { forwardRequest } from "./forward-request.js";
import { refuse } from "./refuse.js";

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
    res.writeHead(407, { "proxy-authenticate": 'Basic realm="corral"', "content-type": "text/plain" });
    res.end("corral egress: proxy authentication required\n");
    return;
  }
  const url = absoluteHttpUrl(req.url);
  if (!url) {
    res.writeHead(400, { "content-type": "text/plain" });
    res.end("corral egress: send absolute http:// URLs, or CONNECT for https\n");
    return;
  }
  try {
    const destination = { protocol: "http:", host: url.hostname, port: Number(url.port || 80) } as const;
    const target = await resolveTarget(sandbox.networking, destination);
    await forwardRequest(deps, { sandbox, req, res, target, path: `${url.pathname}${url.search}` });
  } catch (error) {
    refuse(deps, sandbox, res, { host: url.hostname, method: req.method ?? "GET", error });
  }
}
