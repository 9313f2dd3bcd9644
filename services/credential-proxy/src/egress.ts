import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { request as httpsRequest } from "node:https";
import { connect, type Socket, type AddressInfo } from "node:net";
import { TLSSocket, rootCertificates } from "node:tls";
import { lookup } from "node:dns/promises";
import type { Duplex } from "node:stream";
import {
  BUCKETS,
  PLACEHOLDER_PREFIX,
  STORE_RPC,
  SandboxRecord,
  type NetworkingConfig,
  type SessionEventInput,
  type CredentialId,
} from "@corral/protocol";
import { getJson, openBucket, request, type Bus, type KV } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ResolvedCredential, VaultService } from "./vaults.js";
import { credentialAllowsHost, egressAllowed, isInternalAddress, type EgressKeys } from "./policy.js";
import type { LeafCertificate } from "./ca.js";

/** What the proxy knows about the sandbox behind a request: its session's rules and credentials. */
interface SandboxContext {
  sandboxId: string;
  sessionId: string;
  networking: NetworkingConfig | undefined;
  /** Placeholder → the credential it stands for (environment_variable credentials only). */
  placeholders: Map<string, ResolvedCredential>;
}

interface Target {
  protocol: "http:" | "https:";
  host: string;
  port: number;
  /** The address the host resolved to when the policy was checked: the one connected to. */
  address: string;
}

const MAX_BODY = 16 * 1024 * 1024;
const CONTEXT_TTL_MS = 2000;
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authorization",
  "proxy-authenticate",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);
const PLACEHOLDER_PATTERN = new RegExp(`${PLACEHOLDER_PREFIX}[A-Za-z0-9]{32}`, "g");

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly credentialId?: CredentialId,
  ) {
    super(message);
  }
}

export interface EgressProxyOptions {
  host: string;
  port: number;
  /** Extra CA certificates (PEM) trusted for upstream TLS, besides Node's bundled roots. */
  upstreamCa: string[];
}

export interface EgressProxy {
  start(): Promise<number>;
  stop(): Promise<void>;
}

export function createEgressProxy(deps: {
  bus: Bus;
  logger: Logger;
  vaults: VaultService;
  keys: EgressKeys;
  issue: (host: string) => Promise<LeafCertificate>;
  options: EgressProxyOptions;
}): EgressProxy {
  const { bus, logger, vaults, keys, options } = deps;
  const ca = [...rootCertificates, ...options.upstreamCa];
  const contexts = new Map<string, { at: number; value: Promise<SandboxContext | null> }>();
  const intercepted = new WeakMap<
    Duplex,
    { ctx: SandboxContext; host: string; port: number; address: string }
  >();
  let sandboxes!: KV;

  // ---- who is asking
  async function loadContext(sandboxId: string): Promise<SandboxContext | null> {
    const sandbox = await getJson(sandboxes, SandboxRecord, sandboxId);
    if (!sandbox || sandbox.value.status !== "ready" || !sandbox.value.session_id) return null;
    const sessionId = sandbox.value.session_id;
    const session = await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId });
    const environment = await request(bus, STORE_RPC.environmentsGet, {
      environment_id: session.environment_id,
    }).catch(() => null);
    const config = environment?.config;
    const networking = config && "networking" in config ? config.networking : undefined;
    const placeholders = new Map<string, ResolvedCredential>();
    for (const credential of await vaults.resolve(session.vault_ids)) {
      if (credential.record.auth.type === "environment_variable")
        placeholders.set(keys.placeholder(sessionId, credential.record.id), credential);
    }
    return { sandboxId, sessionId, networking, placeholders };
  }

  function context(sandboxId: string): Promise<SandboxContext | null> {
    const cached = contexts.get(sandboxId);
    if (cached && Date.now() - cached.at < CONTEXT_TTL_MS) return cached.value;
    const value = loadContext(sandboxId);
    contexts.set(sandboxId, { at: Date.now(), value });
    value.catch(() => contexts.delete(sandboxId));
    return value;
  }

  async function authenticate(headers: IncomingHttpHeaders): Promise<SandboxContext | null> {
    const header = headers["proxy-authorization"];
    if (typeof header !== "string" || !header.startsWith("Basic ")) return null;
    const [sandboxId = "", token = ""] = Buffer.from(header.slice(6), "base64").toString("utf8").split(":");
    if (!/^sbx_[A-Za-z0-9]+$/.test(sandboxId) || !keys.verify(sandboxId, token)) return null;
    return context(sandboxId);
  }

  // ---- what is recorded
  function record(ctx: SandboxContext, event: SessionEventInput): void {
    request(bus, STORE_RPC.eventsAppend, { session_id: ctx.sessionId, events: [event] }).catch(
      (err: unknown) =>
        logger.warn({ err, session_id: ctx.sessionId, type: event.type }, "could not record an egress event"),
    );
  }

  function blocked(ctx: SandboxContext, host: string, method: string, refusal: Refusal): void {
    logger.info(
      { session_id: ctx.sessionId, sandbox_id: ctx.sandboxId, host, method, reason: refusal.message },
      "egress blocked",
    );
    record(ctx, {
      type: "span.egress_blocked",
      host,
      method,
      reason: refusal.message,
      ...(refusal.credentialId && { credential_id: refusal.credentialId }),
    });
  }

  // ---- where it may go
  async function resolveTarget(
    ctx: SandboxContext,
    protocol: Target["protocol"],
    host: string,
    port: number,
  ): Promise<Target> {
    // The name is checked before it is resolved, so a refused host is refused even if it does not resolve.
    const byName = egressAllowed(ctx.networking, host, false);
    if (!byName.ok) throw new Refusal(403, byName.reason);
    const address = await lookup(host, { order: "ipv4first" }).then(
      (r) => r.address,
      () => null,
    );
    if (!address) throw new Refusal(502, `${host} does not resolve`);
    const verdict = egressAllowed(ctx.networking, host, isInternalAddress(address));
    if (!verdict.ok) throw new Refusal(403, verdict.reason);
    return { protocol, host, port, address };
  }

  /**
   * Swaps placeholders for secrets where the credential allows it (its hosts, its injection locations);
   * any other placeholder refuses the request. Returns the credentials used.
   */
  function inject(
    ctx: SandboxContext,
    host: string,
    path: string,
    headers: IncomingHttpHeaders,
    body: Buffer | null,
  ): { headers: Record<string, string | string[]>; body: Buffer | null; used: ResolvedCredential[] } {
    const used = new Set<ResolvedCredential>();
    const swap = (text: string, where: "header" | "body"): string =>
      text.replace(PLACEHOLDER_PATTERN, (placeholder) => {
        const credential = ctx.placeholders.get(placeholder);
        if (!credential) throw new Refusal(403, "an unknown placeholder was sent");
        const auth = credential.record.auth;
        if (auth.type !== "environment_variable") throw new Refusal(403, "an unknown placeholder was sent");
        if (!credentialAllowsHost(credential.record, host))
          throw new Refusal(
            403,
            `the placeholder of ${auth.secret_name} may not be sent to ${host}`,
            credential.record.id,
          );
        if (!auth.injection_location[where])
          throw new Refusal(
            403,
            `${auth.secret_name} may not be injected into the request ${where}`,
            credential.record.id,
          );
        used.add(credential);
        return credential.secrets.secret_value ?? "";
      });
    const urlPlaceholder = PLACEHOLDER_PATTERN.exec(path);
    PLACEHOLDER_PATTERN.lastIndex = 0;
    if (urlPlaceholder)
      throw new Refusal(
        403,
        "placeholders are never put into URLs",
        ctx.placeholders.get(urlPlaceholder[0])?.record.id,
      );

    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined || HOP_BY_HOP.has(name)) continue;
      const one = (v: string) => {
        // Basic credentials carry the placeholder base64-encoded (e.g. git's user:token URLs).
        if (name === "authorization" && v.startsWith("Basic ")) {
          const decoded = Buffer.from(v.slice(6), "base64").toString("utf8");
          return decoded.includes(PLACEHOLDER_PREFIX)
            ? `Basic ${Buffer.from(swap(decoded, "header")).toString("base64")}`
            : v;
        }
        return swap(v, "header");
      };
      out[name] = Array.isArray(value) ? value.map(one) : one(value);
    }
    let nextBody = body;
    if (body && body.includes(PLACEHOLDER_PREFIX))
      nextBody = Buffer.from(swap(body.toString("utf8"), "body"));
    if (nextBody && nextBody !== body) out["content-length"] = String(nextBody.length);
    return { headers: out, body: nextBody, used: [...used] };
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY)
        throw new Refusal(413, `request bodies through the proxy are limited to ${MAX_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  /** One request to `target`, with placeholders swapped, answered back on `res`. */
  async function forward(
    ctx: SandboxContext,
    req: IncomingMessage,
    res: ServerResponse,
    target: Target,
    path: string,
  ): Promise<void> {
    const method = req.method ?? "GET";
    let used: ResolvedCredential[] = [];
    try {
      // Bodies are read whole only when the session has placeholders that could be in them.
      const body = ctx.placeholders.size > 0 ? await readBody(req) : null;
      const injected = inject(ctx, target.host, path, req.headers, body);
      used = injected.used;
      const send = target.protocol === "https:" ? httpsRequest : httpRequest;
      const upstream = send({
        host: target.address,
        servername: target.host,
        port: target.port,
        method,
        path,
        headers: injected.headers,
        ca,
      });
      upstream.on("response", (answer) => {
        for (const credential of used) {
          record(ctx, {
            type: "span.credential_use",
            credential_id: credential.record.id,
            vault_id: credential.record.vault_id,
            host: target.host,
            method,
            status: answer.statusCode ?? 0,
          });
        }
        const headers = Object.fromEntries(
          Object.entries(answer.headers).filter(([k]) => !HOP_BY_HOP.has(k)),
        );
        res.writeHead(answer.statusCode ?? 502, headers as Record<string, string | string[]>);
        answer.pipe(res);
      });
      upstream.on("error", (err) => {
        logger.info({ host: target.host, err: err.message }, "upstream request failed");
        for (const credential of used)
          record(ctx, {
            type: "span.credential_use",
            credential_id: credential.record.id,
            vault_id: credential.record.vault_id,
            host: target.host,
            method,
            status: 0,
          });
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
        res.end("corral egress: the upstream request failed\n");
      });
      if (injected.body) upstream.end(injected.body);
      else req.pipe(upstream);
    } catch (error) {
      refuse(ctx, res, target.host, method, error);
    }
  }

  function refuse(
    ctx: SandboxContext,
    res: ServerResponse,
    host: string,
    method: string,
    error: unknown,
  ): void {
    const refusal = error instanceof Refusal ? error : new Refusal(502, "the proxy failed");
    if (refusal.status === 403) blocked(ctx, host, method, refusal);
    if (!(error instanceof Refusal)) logger.warn({ err: error, host }, "egress request failed");
    if (!res.headersSent) res.writeHead(refusal.status, { "content-type": "text/plain" });
    res.end(`corral egress: ${refusal.message}\n`);
  }

  // ---- plain HTTP through the proxy (absolute-form requests)
  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const ctx = await authenticate(req.headers).catch(() => null);
    if (!ctx) {
      res.writeHead(407, { "proxy-authenticate": 'Basic realm="corral"', "content-type": "text/plain" });
      res.end("corral egress: proxy authentication required\n");
      return;
    }
    let url: URL;
    try {
      url = new URL(req.url ?? "");
      if (url.protocol !== "http:") throw new Error("not http");
    } catch {
      res.writeHead(400, { "content-type": "text/plain" });
      res.end("corral egress: send absolute http:// URLs, or CONNECT for https\n");
      return;
    }
    try {
      const target = await resolveTarget(ctx, "http:", url.hostname, Number(url.port || 80));
      await forward(ctx, req, res, target, `${url.pathname}${url.search}`);
    } catch (error) {
      refuse(ctx, res, url.hostname, req.method ?? "GET", error);
    }
  }

  // ---- HTTPS: a blind tunnel, or intercepted when the session has placeholders to swap or police
  async function onConnect(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    client.on("error", () => client.destroy());
    const ctx = await authenticate(req.headers).catch(() => null);
    if (!ctx) {
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corral"\r\n\r\n',
      );
      return;
    }
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? "");
    if (!match) {
      client.end("HTTP/1.1 400 Bad Request\r\n\r\n");
      return;
    }
    const host = match[1]!;
    const port = Number(match[2]);
    let target: Target;
    try {
      target = await resolveTarget(ctx, "https:", host, port);
    } catch (error) {
      const refusal = error instanceof Refusal ? error : new Refusal(502, "the proxy failed");
      if (refusal.status === 403) blocked(ctx, host, "CONNECT", refusal);
      client.end(
        `HTTP/1.1 ${refusal.status} ${refusal.status === 403 ? "Forbidden" : "Bad Gateway"}\r\n\r\n`,
      );
      return;
    }
    if (ctx.placeholders.size > 0) {
      const leaf = await deps.issue(host);
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) client.unshift(head);
      const tls = new TLSSocket(client, { isServer: true, key: leaf.keyPem, cert: leaf.certPem });
      tls.on("error", () => tls.destroy());
      intercepted.set(tls, { ctx, host, port, address: target.address });
      mitm.emit("connection", tls);
      return;
    }
    const upstream = connect(port, target.address);
    upstream.on("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on("error", () => {
      if (client.writable) client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n");
      client.destroy();
    });
    client.on("close", () => upstream.destroy());
  }

  const server: Server = createServer((req, res) => void onRequest(req, res));
  server.on(
    "connect",
    (req: IncomingMessage, socket: Socket, head: Buffer) => void onConnect(req, socket, head),
  );
  // Decrypted requests from intercepted tunnels; it never listens on a port of its own.
  const mitm: Server = createServer((req, res) => {
    const tunnel = intercepted.get(req.socket);
    if (!tunnel) {
      res.writeHead(500).end();
      return;
    }
    const hostHeader = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    if (hostHeader && hostHeader !== tunnel.host.toLowerCase()) {
      refuse(
        tunnel.ctx,
        res,
        tunnel.host,
        req.method ?? "GET",
        new Refusal(403, `Host ${hostHeader} does not match the tunnel's ${tunnel.host}`),
      );
      return;
    }
    void forward(
      tunnel.ctx,
      req,
      res,
      { protocol: "https:", host: tunnel.host, port: tunnel.port, address: tunnel.address },
      req.url ?? "/",
    );
  });

  return {
    async start() {
      sandboxes = await openBucket(bus, BUCKETS.sandboxes);
      await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      server.closeAllConnections();
      mitm.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
