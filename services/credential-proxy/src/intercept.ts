import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import type { Target } from "./egress-target.js";
import { forwardRequest } from "./forward-request.js";
import { refuse } from "./refuse.js";
import { Refusal } from "./refusal.js";
import { canonicalHost, checkHostHeader, parseAuthority } from "./host-header.js";

/** An intercepted CONNECT: the sandbox behind it and the one target it was allowed to reach. */
interface Tunnel {
  sandbox: SandboxContext;
  target: Target;
}

/**
 * Terminates TLS for tunnels whose session has placeholders to swap or police, with a certificate for
 * the host from the deployment's CA; the decrypted requests go through `forwardRequest` like plain HTTP.
 */
export interface Interceptor {
  intercept(sandbox: SandboxContext, client: Socket, head: Buffer, target: Target): Promise<void>;
  close(): void;
}

/**
 * What an intercepted request asks for must be the tunnel's target: its SNI, its `Host` and an absolute-form
 * request-target all name the CONNECT's host and port. Returns the origin-form path to send.
 */
function tunnelPath(req: IncomingMessage, target: Target): string {
  const sni = (req.socket as TLSSocket).servername;
  if (typeof sni === "string" && sni.toLowerCase() !== target.host.toLowerCase())
    throw new Refusal(
      403,
      `the TLS server name ${sni.slice(0, 100)} does not match the tunnel's ${target.host}`,
    );
  checkHostHeader(req.headers.host, target);
  const raw = req.url ?? "/";
  if (raw.startsWith("/")) return raw;
  const url = URL.canParse(raw) ? new URL(raw) : null;
  const named = url && parseAuthority(url.host, url.protocol === "https:" ? 443 : 80);
  if (
    !url ||
    url.protocol !== "https:" ||
    named?.host !== canonicalHost(target.host) ||
    named.port !== target.port
  )
    throw new Refusal(
      403,
      `the request-target ${raw.slice(0, 100)} does not match the tunnel's ${target.host}`,
    );
  return `${url.pathname}${url.search}`;
}

function onDecrypted(
  deps: EgressDeps,
  tunnels: WeakMap<Duplex, Tunnel>,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const tunnel = tunnels.get(req.socket);
  if (!tunnel) {
    res.writeHead(500).end();
    return;
  }
  const { sandbox, target } = tunnel;
  try {
    const path = tunnelPath(req, target);
    void forwardRequest(deps, { sandbox, req, res, target, path });
  } catch (error) {
    refuse(deps, sandbox, res, { host: target.host, method: req.method ?? "GET", error });
  }
}

export function createInterceptor(deps: EgressDeps): Interceptor {
  const tunnels = new WeakMap<Duplex, Tunnel>();
  // Decrypted requests from intercepted tunnels; it never listens on a port of its own.
  const decrypted: Server = createServer((req, res) => onDecrypted(deps, tunnels, req, res));
  return {
    async intercept(sandbox, client, head, target) {
      const leaf = await deps.issue(target.host);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) client.unshift(head);
      const tls = new TLSSocket(client, { isServer: true, key: leaf.keyPem, cert: leaf.certPem });
      tls.on("error", () => tls.destroy());
      tunnels.set(tls, { sandbox, target });
      decrypted.emit("connection", tls);
    },
    close: () => decrypted.closeAllConnections(),
  };
}
