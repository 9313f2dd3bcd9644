import { createServer as createHttpServer, request as httpRequest, Agent } from "node:http";
import { createServer as createHttpsServer, request as httpsRequest } from "node:https";
import { connect as tlsConnect } from "node:tls";
import type { AddressInfo, Socket } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import {
  BUCKETS,
  HOST_RPC,
  STORE_RPC,
  VAULT_RPC,
  hostSubject,
  newId,
  type SandboxRecord,
} from "@corral/protocol";
import { openBucket, putJson, request, type Bus } from "@corral/bus";
import { freePort, startSystem, untilAnswers } from "@corral/testing";
import { createCertificateAuthority, createIssuer } from "@corral/credential-proxy";
import { makeVaultCredential } from "@corral/credential-proxy/testing";
import { makeLimitedEnvironment } from "@corral/session-store/testing";
import { percentile, printRows, timeEach, type Row } from "../lib/stats.js";

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

  const system = await startSystem("bench");
  const bus = system.bus;
  system.spawn("session-store", { LOG_LEVEL: "warn", CORRAL_TASK_INTAKE: "0" });
  system.spawn("credential-proxy", {
    LOG_LEVEL: "warn",
    EGRESS_HOST: "127.0.0.1",
    EGRESS_PORT: String(await freePort()),
    EGRESS_UPSTREAM_CA_FILE: join(dir, "ca.pem"),
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  await untilAnswers(() => request(bus, VAULT_RPC.vaultsList, {}, { timeoutMs: 1000 }));
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));

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
  printRows(`egress proxy (${N} requests per path, a new connection each, proxy in its own process)`, [
    ...percentileRows("plain HTTP", ": proxied vs direct", samples.proxiedHttp, samples.directHttp, 2),
    ...percentileRows(
      "HTTPS tunnel",
      ": CONNECT + TLS vs direct TLS",
      samples.viaTunnel,
      samples.directHttps,
      2,
    ),
    ...percentileRows(
      "HTTPS with injection",
      " (intercepted)",
      samples.viaInjection,
      samples.directHttps,
      "(no target: two TLS handshakes)",
    ),
  ]);

  plain.close();
  secure.close();
  await system.stop();
}

/**
 * A path through the proxy next to the direct one, at p50 and p95. `p50Target` is either the most the
 * proxy may add at p50 (in ms) or a note saying why there is no target.
 */
function percentileRows(
  path: string,
  p50Label: string,
  via: number[],
  direct: number[],
  p50Target: number | string,
): Row[] {
  const at = (p: number) => ({ corral: percentile(via, p), baseline: percentile(direct, p), unit: "ms" });
  const added = percentile(via, 50) - percentile(direct, 50);
  const limited = typeof p50Target === "number";
  return [
    {
      metric: `${path} p50${p50Label}`,
      ...at(50),
      target: limited ? `added ≤ ${p50Target} ms (added ${added.toFixed(2)})` : p50Target,
      ok: () => !limited || added <= p50Target,
    },
    { metric: `${path} p95`, ...at(95), target: "(no target)", ok: () => true },
  ];
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
  const environment = await makeLimitedEnvironment(bus, ["localhost"]);
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "bench", model: "m" });
  const vaultIds: string[] = [];
  if (secretName) {
    const { vault } = await makeVaultCredential(bus, "bench", {
      type: "environment_variable",
      secret_name: secretName,
      secret_value: "s3cret",
      networking: { type: "limited", allowed_hosts: ["localhost"] },
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
  // The proxy answers for its own host (the bench's proxy has the default id, this machine's hostname).
  const subject = hostSubject(HOST_RPC.egressConfig, hostname());
  const config = await request(
    bus,
    HOST_RPC.egressConfig,
    { sandbox_id: id, session_id: session.id },
    { subject },
  );
  return {
    id,
    token: config.token,
    port: config.port,
    ca: config.ca_pem,
    placeholder: secretName ? config.env[secretName]! : "",
  };
}

await main();
