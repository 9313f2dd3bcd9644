import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Socket } from "node:net";
import { rootCertificates } from "node:tls";
import { BUCKETS, SandboxRecord } from "@corral/protocol";
import { followExecTraces, openTypedBucket, retryingBucket, type Bus, type RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { VaultStore } from "./vault-store.js";
import type { EgressKeys } from "./proxy-keys.js";
import type { LeafCertificate } from "./ca.js";
import type { SealingKey } from "./sealing-key.js";
import type { EgressDeps } from "./egress-context.js";
import { proxyPlainHttp } from "./plain-http.js";
import { proxyConnect } from "./connect-tunnel.js";
import { createInterceptor } from "./intercept.js";
import { egressListeners, type EgressListeners } from "./egress-listen.js";
import type { AddressAllowList } from "./egress-address.js";
import { rememberExecTrace } from "./egress-trace.js";

export interface EgressProxyOptions {
  /** Addresses to listen on; null: every sandbox bridge's (see `egressListeners`). */
  hosts: readonly string[] | null;
  port: number;
  /** Non-public addresses sandboxes may still reach (the operator's `EGRESS_ALLOW_ADDRESSES`). */
  allow: AddressAllowList;
  /** How long an upstream may stay silent before the request fails and is audited with status 0. */
  upstreamIdleMs: number;
  /** Extra CA certificates (PEM) trusted for upstream TLS, besides Node's bundled roots. */
  upstreamCa: string[];
  /** This Docker host: its sandbox-manager announces the traces of the tools its sandboxes run. */
  hostId: string;
}

export interface EgressProxy {
  /** Listens, and resolves with the port. */
  start(): Promise<number>;
  /** Listens on sandbox bridges made since (before a sandbox is told where the proxy is); the port. */
  listen(): Promise<number>;
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
  sealing: () => Promise<SealingKey>;
  options: EgressProxyOptions;
}): EgressProxy {
  const { options } = deps;
  let running: { server: Server; listeners: EgressListeners; close(): void } | null = null;
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
        allow: options.allow,
        upstreamIdleMs: options.upstreamIdleMs,
        traces: new Map(),
      };
      const unfollow = followExecTraces(deps.bus, options.hostId, (sandboxId, parent) =>
        rememberExecTrace(egress.traces, sandboxId, parent),
      );
      const interceptor = createInterceptor(egress);
      const server = createServer((req, res) => void proxyPlainHttp(egress, req, res));
      server.on("connect", (req: IncomingMessage, socket: Socket, head: Buffer) => {
        void proxyConnect(egress, interceptor, req, socket, head);
      });
      const listeners = egressListeners(server, options, deps.logger);
      running = { server, listeners, close: () => (interceptor.close(), unfollow()) };
      return listeners.ensure();
    },
    listen() {
      if (!running) throw new Error("the egress proxy has not started");
      return running.listeners.ensure();
    },
    async stop() {
      if (!running) return;
      const { server, listeners, close } = running;
      close();
      await listeners.close();
      server.closeAllConnections();
    },
  };
}
