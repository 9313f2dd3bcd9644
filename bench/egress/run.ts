import { createServer as createHttpServer, request as httpRequest, Agent } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import type { AddressInfo, Socket } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { BUCKETS, EGRESS_RPC, STORE_RPC, VAULT_RPC, newId, type SandboxRecord } from "@corral/protocol";
import { connectBus, openBucket, putJson, request, type Bus } from "@corral/bus";
import { freePort, spawnService, startNatsServer, waitFor } from "@corral/testing";
import { createCertificateAuthority, createIssuer } from "@corral/credential-proxy";
import { percentile, printRows, timeEach } from "../lib/stats.js";

// Latency the egress proxy adds, next to the same request made directly in the same run. Every request
// opens a new connection on both paths (as a command-line tool in a sandbox does). The credential-proxy
// runs in its own process; the upstream servers and the client run in this one.
const N = Number(process.env.BENCH_N ?? 1000);

async function main(): Promise<void> {
  const ca = await createCertificateAuthority("Bench upstream CA");
  const leaf = await createIssuer(ca)("localhost");
  const dir = mkdtempSync(join(tmpdir(), "corral-bench-egress-"));
  writeFileSync(join(dir, "ca.pem"), ca.certPem);
  const plain = createHttpServer((_req, res) => res.end("ok"));
  const secure = createHttpsServer({ key: leaf.keyPem, cert: leaf.certPem }, (_req, res) => res.end("ok"));
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => secure.listen(0, "127.0.0.1", r));
  const plainPort = (plain.address() as AddressInfo).port;
  const securePort = (secure.address() as AddressInfo).port;

  const nats = await startNatsServer();
  const store = spawnService("session-store", {
    NATS_URL: nats.url,
    LOG_LEVEL: "warn",
    CORRAL_TASK_INTAKE: "0",
  });
  const proxy = spawnService("credential-proxy", {
    NATS_URL: nats.url,
    LOG_LEVEL: "warn",
    EGRESS_HOST: "127.0.0.1",
    EGRESS_PORT: String(await freePort()),
    EGRESS_UPSTREAM_CA_FILE: join(dir, "ca.pem"),
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  const bus = await connectBus({ servers: nats.url, name: "bench" });
  await waitFor(
    () =>
      request(bus, VAULT_RPC.vaultsList, {}, { timeoutMs: 1000 }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 30_000 },
  );
  await waitFor(
    () =>
      request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }).then(
        () => true,
        () => false,
      ),
    { timeoutMs: 30_000 },
  );

  // Two sandboxes as the proxy sees them: one whose session has a secret (so HTTPS is intercepted), one without.
  const plainSandbox = await sandboxFor(bus, null);
  const secretSandbox = await sandboxFor(bus, "BENCH_TOKEN");
  const proxyUrl = (s: { id: string; token: string; port: number }) => ({
    port: s.port,
    auth: `Basic ${Buffer.from(`${s.id}:${s.token}`).toString("base64")}`,
  });
  const noKeepAlive = new Agent({ keepAlive: false });

  const directHttp = () =>
    get(
      httpRequest({
        host: "127.0.0.1",
        port: plainPort,
        path: "/",
        agent: noKeepAlive,
        headers: { host: `localhost:${plainPort}` },
      }),
    );
  const proxiedHttp = () => {
    const p = proxyUrl(plainSandbox);
    return get(
      httpRequest({
        host: "127.0.0.1",
        port: p.port,
        path: `http://localhost:${plainPort}/`,
        agent: noKeepAlive,
        headers: { "proxy-authorization": p.auth },
      }),
    );
  };
  const directHttps = () =>
    get(httpsRequest({ host: "localhost", port: securePort, path: "/", agent: false, ca: ca.certPem }));
  const tunnelled = async (
    sandbox: { id: string; token: string; port: number },
    caPem: string,
    headers: Record<string, string> = {},
  ) => {
    const p = proxyUrl(sandbox);
    const socket = await new Promise<Socket>((resolve, reject) => {
      const connect = httpRequest({
        host: "127.0.0.1",
        port: p.port,
        method: "CONNECT",
        path: `localhost:${securePort}`,
        headers: { "proxy-authorization": p.auth },
        agent: noKeepAlive,
      });
      connect.on("connect", (res, s) =>
        res.statusCode === 200 ? resolve(s) : reject(new Error(`CONNECT ${res.statusCode}`)),
      );
      connect.on("error", reject);
      connect.end();
    });
    const tls = tlsConnect({ socket, servername: "localhost", ca: caPem });
    await get(httpsRequest({ host: "localhost", path: "/", createConnection: () => tls, headers }));
  };
  const secretCa = secretSandbox.ca;
  const viaTunnel = () => tunnelled(plainSandbox, ca.certPem);
  const viaInjection = () =>
    tunnelled(secretSandbox, `${ca.certPem}\n${secretCa}`, {
      authorization: `Bearer ${secretSandbox.placeholder}`,
    });

  for (const [name, warm] of Object.entries({
    directHttp,
    proxiedHttp,
    directHttps,
    viaTunnel,
    viaInjection,
  })) {
    await timeEach(100, warm).catch((error: unknown) => {
      throw new Error(`${name} failed`, { cause: error });
    });
  }
  const samples = {
    directHttp: [] as number[],
    proxiedHttp: [] as number[],
    directHttps: [] as number[],
    viaTunnel: [] as number[],
    viaInjection: [] as number[],
  };
  // Interleaved, so a noisy moment hits every path alike.
  for (let i = 0; i < N; i++) {
    for (const [name, fn] of [
      ["directHttp", directHttp],
      ["proxiedHttp", proxiedHttp],
      ["directHttps", directHttps],
      ["viaTunnel", viaTunnel],
      ["viaInjection", viaInjection],
    ] as const) {
      const t0 = performance.now();
      await fn();
      samples[name].push(performance.now() - t0);
    }
  }
  const added = (a: number[], b: number[], p: number) => percentile(a, p) - percentile(b, p);
  printRows(`egress proxy (${N} requests per path, a new connection each, proxy in its own process)`, [
    {
      metric: "plain HTTP p50: proxied vs direct",
      corral: percentile(samples.proxiedHttp, 50),
      baseline: percentile(samples.directHttp, 50),
      unit: "ms",
      target: `added ≤ 2 ms (added ${added(samples.proxiedHttp, samples.directHttp, 50).toFixed(2)})`,
      ok: () => added(samples.proxiedHttp, samples.directHttp, 50) <= 2,
    },
    {
      metric: "plain HTTP p95",
      corral: percentile(samples.proxiedHttp, 95),
      baseline: percentile(samples.directHttp, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
    {
      metric: "HTTPS tunnel p50: CONNECT + TLS vs direct TLS",
      corral: percentile(samples.viaTunnel, 50),
      baseline: percentile(samples.directHttps, 50),
      unit: "ms",
      target: `added ≤ 2 ms (added ${added(samples.viaTunnel, samples.directHttps, 50).toFixed(2)})`,
      ok: () => added(samples.viaTunnel, samples.directHttps, 50) <= 2,
    },
    {
      metric: "HTTPS tunnel p95",
      corral: percentile(samples.viaTunnel, 95),
      baseline: percentile(samples.directHttps, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
    {
      metric: "HTTPS with injection p50 (intercepted)",
      corral: percentile(samples.viaInjection, 50),
      baseline: percentile(samples.directHttps, 50),
      unit: "ms",
      target: "(no target: two TLS handshakes)",
      ok: () => true,
    },
    {
      metric: "HTTPS with injection p95",
      corral: percentile(samples.viaInjection, 95),
      baseline: percentile(samples.directHttps, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
  ]);

  plain.close();
  secure.close();
  await bus.close();
  await proxy.kill("SIGTERM");
  await store.kill("SIGTERM");
  await nats.stop();
}

function get(req: ReturnType<typeof httpRequest>): Promise<void> {
  return new Promise((resolve, reject) => {
    req.on("response", (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A session (with a secret environment variable when `secretName` is given) and a sandbox record for it. */
async function sandboxFor(
  bus: Bus,
  secretName: string | null,
): Promise<{ id: string; token: string; port: number; ca: string; placeholder: string }> {
  const environment = await request(bus, STORE_RPC.environmentsCreate, {
    name: `bench-${randomBytes(4).toString("hex")}`,
    config: {
      type: "cloud",
      networking: {
        type: "limited",
        allowed_hosts: ["localhost"],
        allow_package_managers: false,
        allow_mcp_servers: false,
      },
    },
  });
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "bench", model: "m" });
  const vaultIds: string[] = [];
  if (secretName) {
    const vault = await request(bus, VAULT_RPC.vaultsCreate, { display_name: "bench" });
    await request(bus, VAULT_RPC.credentialsCreate, {
      vault_id: vault.id,
      params: {
        auth: {
          type: "environment_variable",
          secret_name: secretName,
          secret_value: "s3cret",
          networking: { type: "limited", allowed_hosts: ["localhost"] },
        },
      },
    });
    vaultIds.push(vault.id);
  }
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    vault_ids: vaultIds,
  });
  const id = newId("sandbox");
  const now = new Date().toISOString();
  // What the sandbox-manager records for a container: all the proxy reads is the session it belongs to.
  const record: SandboxRecord = {
    id,
    type: "sandbox",
    session_id: session.id,
    status: "ready",
    image: "bench",
    host: "bench",
    container_id: "bench",
    workspace_volume: "bench",
    lost_reason: null,
    holders: [session.id],
    created_at: now,
    last_used_at: now,
  };
  await putJson(await openBucket(bus, BUCKETS.sandboxes), id, record);
  const config = await request(bus, EGRESS_RPC.config, { sandbox_id: id, session_id: session.id });
  return {
    id,
    token: config.token,
    port: config.port,
    ca: config.ca_pem,
    placeholder: secretName ? config.env[secretName]! : "",
  };
}

await main();
