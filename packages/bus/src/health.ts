import { createServer, type Server, type ServerResponse } from "node:http";
import { renderMetrics } from "@corral/metrics";
import type { Bus } from "./connect.js";

/** A dependency a service needs to do its work (e.g. "its own subjects answer", "docker answers"). */
export type ReadinessCheck = { name: string; check: () => Promise<unknown> };

export interface HealthOptions {
  host: string;
  port: number;
  /** Beyond NATS itself: each must resolve within `timeoutMs` for the service to be ready. */
  checks: ReadinessCheck[];
  timeoutMs?: number;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Every check's outcome, NATS first (a round trip to the server this client is connected to). */
async function readiness(bus: Bus, options: HealthOptions): Promise<Record<string, string>> {
  const checks: ReadinessCheck[] = [{ name: "nats", check: () => bus.nc.flush() }, ...options.checks];
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      try {
        await within(check(), options.timeoutMs ?? 2000);
        return [name, "ok"] as const;
      } catch (error) {
        return [name, error instanceof Error ? error.message.slice(0, 200) : "failed"] as const;
      }
    }),
  );
  return Object.fromEntries(results);
}

/** `/metrics`: this process's registry in Prometheus's text format (see @corral/metrics). */
function serveMetrics(res: ServerResponse): void {
  renderMetrics().then(
    ({ contentType, body }) => res.writeHead(200, { "content-type": contentType }).end(body),
    () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics failed\n"),
  );
}

/**
 * `/healthz`: the process runs and its NATS connection is not closed (restart it otherwise).
 * `/readyz`: NATS answers and every check passes (send it work otherwise). Both answer JSON. `/metrics`
 * answers Prometheus's text format.
 */
export async function serveHealth(bus: Bus, options: HealthOptions): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (req.method !== "GET") return reply(405, { error: "GET only" });
    if (req.url === "/healthz") return reply(bus.nc.isClosed() ? 503 : 200, { live: !bus.nc.isClosed() });
    if (req.url === "/metrics") return void serveMetrics(res);
    if (req.url !== "/readyz") return reply(404, { error: "/healthz, /readyz or /metrics" });
    void readiness(bus, options).then((checks) => {
      const ready = Object.values(checks).every((outcome) => outcome === "ok");
      reply(ready ? 200 : 503, { ready, checks });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : options.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** HEALTH_PORT (unset: no health server) and HEALTH_HOST (default 127.0.0.1), read by main.ts. */
export function healthConfigFromEnv(env: NodeJS.ProcessEnv): { host: string; port: number } | null {
  if (!env.HEALTH_PORT) return null;
  const port = Number(env.HEALTH_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`HEALTH_PORT: not a port: ${env.HEALTH_PORT}`);
  return { host: env.HEALTH_HOST ?? "127.0.0.1", port };
}
