import { createServer, type Server as NetServer } from "node:net";
import { networkInterfaces } from "node:os";
import type { Server as HttpServer } from "node:http";
import { SANDBOX_BRIDGE_PREFIX } from "@corral/protocol";
import type { Logger } from "@corral/logger";

/**
 * Where the proxy listens: the addresses an operator named (`EGRESS_HOST`), or, by default, the address of
 * every sandbox network's bridge on this host (the gateway sandboxes reach the proxy through), found at
 * start and again each time a sandbox's egress config is asked for (its network exists by then).
 */
export interface EgressListeners {
  /** Listens on any address not yet listened on; resolves with the port (the same on every address). */
  ensure(): Promise<number>;
  close(): Promise<void>;
}

/** The IPv4 addresses of this host's sandbox bridges. */
export function sandboxBridgeAddresses(): string[] {
  return Object.entries(networkInterfaces())
    .filter(([name]) => name.startsWith(SANDBOX_BRIDGE_PREFIX))
    .flatMap(([, infos]) => (infos ?? []).filter((i) => i.family === "IPv4").map((i) => i.address));
}

function listenOn(http: HttpServer, address: string, port: number): Promise<NetServer> {
  const server = createServer((socket) => http.emit("connection", socket));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}

/** A port no one uses now, for a proxy told to pick one (`EGRESS_PORT=0`) before any bridge exists. */
async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function egressListeners(
  http: HttpServer,
  options: { hosts: readonly string[] | null; port: number },
  logger: Logger,
): EgressListeners {
  const bound = new Map<string, NetServer>();
  let port = options.port;
  let pending = Promise.resolve(port);
  const bindAll = async () => {
    for (const address of options.hosts ?? sandboxBridgeAddresses()) {
      if (bound.has(address)) continue;
      const server = await listenOn(http, address, port).catch((err: Error) => {
        // A configured address must work; a bridge may be another deployment's, or gone again.
        if (options.hosts) throw err;
        logger.warn({ address, err: err.message }, "egress proxy cannot listen on a sandbox bridge");
        return null;
      });
      if (!server) continue;
      bound.set(address, server);
      port = (server.address() as { port: number }).port;
      logger.info({ address, port }, "egress proxy listening");
    }
    if (port === 0) port = await freeLoopbackPort();
    return port;
  };
  return {
    ensure: () => (pending = pending.then(bindAll, bindAll)),
    async close() {
      await pending.catch(() => undefined);
      await Promise.all(
        [...bound.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
      bound.clear();
    },
  };
}
