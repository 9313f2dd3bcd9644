import { createServer, type Server as NetServer } from "node:net";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { z } from "zod";
import type { Server as HttpServer } from "node:http";
import { SANDBOX_BRIDGE_PREFIX } from "@corral/protocol";
import { serialRuns } from "@corral/bus";
import type { Logger } from "@corral/logger";

const run = promisify(execFile);

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

const IpAddrShow = z.array(
  z.object({
    ifname: z.string(),
    addr_info: z.array(z.object({ family: z.string(), local: z.string() })).default([]),
  }),
);

/**
 * The IPv4 addresses of this host's sandbox bridges, from iproute2 (`ip -j -4 addr show`). Not from
 * `os.networkInterfaces()`: libuv leaves out interfaces that are not RUNNING, and a bridge with no
 * container attached has no carrier; the config for a network's first sandbox is asked before that
 * sandbox is started, so the proxy would not listen where the sandbox then connects.
 */
export async function sandboxBridgeAddresses(): Promise<string[]> {
  const { stdout } = await run("ip", ["-j", "-4", "addr", "show"]);
  return IpAddrShow.parse(JSON.parse(stdout))
    .filter((link) => link.ifname.startsWith(SANDBOX_BRIDGE_PREFIX))
    .flatMap((link) => link.addr_info.filter((a) => a.family === "inet").map((a) => a.local));
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
  scan: () => Promise<string[]> = sandboxBridgeAddresses,
): EgressListeners {
  const bound = new Map<string, NetServer>();
  let port = options.port;
  const bindAll = async () => {
    for (const address of options.hosts ?? (await scan())) {
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
  // Asked once per sandbox: a burst of provisions shares one look at the bridges (an `ip` process each,
  // one after the other, was most of a warm provision's time in bench/provision's profile).
  const ensure = serialRuns(bindAll);
  let last: Promise<unknown> = Promise.resolve();
  return {
    ensure: () => {
      const pending = ensure();
      last = pending;
      return pending;
    },
    async close() {
      await last.catch(() => undefined);
      await Promise.all(
        [...bound.values()].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
      );
      bound.clear();
    },
  };
}
