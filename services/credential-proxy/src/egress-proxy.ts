import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { rootCertificates } from "node:tls";
import { BUCKETS, SandboxRecord } from "@corral/protocol";
import { openTypedBucket, retryingBucket, type Bus, type RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { VaultStore } from "./vault-store.js";
import type { EgressKeys } from "./proxy-keys.js";
import type { LeafCertificate } from "./ca.js";
import type { EgressDeps } from "./egress-context.js";
import { proxyPlainHttp } from "./plain-http.js";
import { proxyConnect } from "./connect-tunnel.js";
import { createInterceptor } from "./intercept.js";

export interface EgressProxyOptions {
  host: string;
  port: number;
  /** Extra CA certificates (PEM) trusted for upstream TLS, besides Node's bundled roots. */
  upstreamCa: string[];
}

export interface EgressProxy {
  /** Listens, and resolves with the port. */
  start(): Promise<number>;
  stop(): Promise<void>;
}

/** The HTTP proxy that is a sandbox's only way out: plain HTTP forwarded, HTTPS tunnelled or intercepted. */
export function createEgressProxy(deps: {
  bus: Bus;
  logger: Logger;
  store: VaultStore;
  retry: RetryOptions;
  keys: EgressKeys;
  issue: (host: string) => Promise<LeafCertificate>;
  options: EgressProxyOptions;
}): EgressProxy {
  const { options } = deps;
  let running: { server: Server; close(): void } | null = null;
  return {
    async start() {
      const egress: EgressDeps = {
        ...deps,
        sandboxes: retryingBucket(
          await openTypedBucket(deps.bus, BUCKETS.sandboxes, SandboxRecord),
          deps.retry,
        ),
        contexts: new Map(),
        upstreamCa: [...rootCertificates, ...options.upstreamCa],
      };
      const interceptor = createInterceptor(egress);
      const server = createServer((req, res) => void proxyPlainHttp(egress, req, res));
      server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
        void proxyConnect(egress, interceptor, req, socket, head);
      });
      running = { server, close: interceptor.close };
      await new Promise<void>((resolve) => server.listen(options.port, options.host, resolve));
      return (server.address() as AddressInfo).port;
    },
    async stop() {
      if (!running) return;
      const { server, close } = running;
      close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
