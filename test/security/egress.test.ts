import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import {
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type Server as HttpServer,
  type ServerResponse,
} from "node:http";
import { connect, type AddressInfo } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import {
  BUCKETS,
  MCP_RPC,
  SANDBOX_RPC,
  STORE_RPC,
  sandboxSubject,
  type SandboxRecord,
  type SessionEvent,
} from "@corral/protocol";
import { openTypedBucket, request, type Bus } from "@corral/bus";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import { createCertificateAuthority, createIssuer } from "@corral/credential-proxy";
import { makeVaultCredential } from "@corral/credential-proxy/testing";
import { makeEnvironment } from "@corral/session-store/testing";
import { removeTestContainers, runTool } from "@corral/sandbox-manager/testing";
import { startEgressStack } from "../support/egress-stack.js";

// The attack catalogue for the egress proxy (issue 13, findings 2, 3, 5, 6, 9, 12): real services as
// processes, a real sandbox on Docker, and stand-in upstreams on the host's loopback, which the operator
// opens port by port (EGRESS_ALLOW_ADDRESSES) as a deployment would open an internal API.
let system: TestSystem;
let bus: Bus;
let https: HttpsServer;
let http: HttpServer;
let secret: HttpServer;
let httpsPort: number;
let httpPort: number;
let secretPort: number;
let loud: HttpServer;
let loudPort: number;
let natsPort: number;
const CANARY = `canary-${randomBytes(16).toString("hex")}`;
const seen: { server: string; url: string; headers: string }[] = [];

function echo(req: IncomingMessage, res: ServerResponse): void {
  const auth = String(req.headers.authorization ?? "");
  const token = auth.replace(/^Bearer /, "");
  if (req.url === "/hang") return; // never answers
  if (req.url === "/reset") return void req.socket.destroy();
  if (req.url === "/split") {
    // The token in two chunks, the second one later: a scrubber that looks at chunks alone misses it.
    res.writeHead(200, { "content-type": "text/plain" });
    res.write(`token=${token.slice(0, 10)}`);
    setTimeout(() => res.end(`${token.slice(10)};\n`), 200);
    return;
  }
  const forms = [
    `raw=${token}`,
    `b64=${Buffer.from(token).toString("base64")}`,
    `b64url=${Buffer.from(`x${token}`).toString("base64url")}`,
    `url=${encodeURIComponent(token)}`,
    `hex=${Buffer.from(token).toString("hex")}`,
    `trace=${req.method} ${JSON.stringify(req.headers)}`,
  ];
  res.writeHead(200, { "content-type": "text/plain", "x-echo": auth, "set-cookie": `t=${token}` });
  res.end(`${forms.join("\n")}\n`);
}

beforeAll(async () => {
  const upstreamCa = await createCertificateAuthority("Test upstream CA");
  const leaf = await createIssuer(upstreamCa)("localhost");
  const dir = mkdtempSync(join(tmpdir(), "corral-egress-sec-"));
  writeFileSync(join(dir, "upstream-ca.pem"), upstreamCa.certPem);
  https = createHttpsServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    seen.push({ server: "https", url: req.url ?? "", headers: JSON.stringify(req.headers) });
    echo(req, res);
  });
  http = createHttpServer((req, res) => {
    seen.push({ server: "http", url: req.url ?? "", headers: JSON.stringify(req.headers) });
    echo(req, res);
  });
  // A host service no sandbox may reach (it stands for NATS, a database, an admin port, an MCP server).
  secret = createHttpServer((req, res) => {
    seen.push({ server: "secret", url: req.url ?? "", headers: JSON.stringify(req.headers) });
    res.writeHead(500, { "content-type": "text/plain" }).end(`INTERNAL-ONLY ${"x".repeat(5000)}`);
  });
  // An operator-allowed server that fails loudly: a long answer body with the bearer token in it.
  loud = createHttpServer((req, res) => {
    const token = String(req.headers.authorization ?? "").replace(/^Bearer /, "");
    res.writeHead(500, { "content-type": "text/plain" }).end(`LOUD ${token} ${"y".repeat(5000)}`);
  });
  await new Promise<void>((r) => loud.listen(0, "127.0.0.1", r));
  loudPort = (loud.address() as AddressInfo).port;
  await Promise.all([https, http, secret].map((s) => new Promise<void>((r) => s.listen(0, "127.0.0.1", r))));
  [httpsPort, httpPort, secretPort] = [https, http, secret].map((s) => (s.address() as AddressInfo).port) as [
    number,
    number,
    number,
  ];

  system = await startSystem("client");
  bus = system.bus;
  natsPort = Number(new URL(system.nats.url).port);
  await startEgressStack(system, dir, {
    EGRESS_ALLOW_ADDRESSES: `127.0.0.1:${httpsPort},127.0.0.1:${httpPort},127.0.0.1:${loudPort}`,
    // An upstream that never answers is given up on after this (the default is two minutes).
    EGRESS_UPSTREAM_IDLE_MS: "1500",
  });
}, 120_000);

afterAll(async () => {
  await system?.stop();
  await removeTestContainers();
  for (const s of [https, http, secret, loud]) s?.close();
});

type Networking = Parameters<typeof makeEnvironment>[1];

/** A session with one secret (for `credentialHosts`) under `networking`, and its ready sandbox. */
async function sandboxWith(
  networking: Networking,
  credentialHosts: string[] = [`localhost:${httpsPort}`],
): Promise<{ sessionId: string; sandbox: SandboxRecord }> {
  const environment = await makeEnvironment(bus, networking);
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "attacker", model: "m" });
  const { vault } = await makeVaultCredential(bus, "egress attack", {
    type: "environment_variable",
    secret_name: "API_TOKEN",
    secret_value: CANARY,
    networking: { type: "limited", allowed_hosts: credentialHosts },
  });
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    vault_ids: [vault.id],
  });
  const sandbox = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: session.id, spec: {} },
    { timeoutMs: 60_000 },
  );
  return { sessionId: session.id, sandbox };
}

const limited = (allowed_hosts: string[]): Networking => ({
  type: "limited",
  allowed_hosts,
  allow_package_managers: false,
  allow_mcp_servers: false,
});

async function bash(sandbox: SandboxRecord, command: string, toolUseId?: string): Promise<string> {
  const result = await runTool(bus, sandbox, "bash", { command }, { timeoutMs: 60_000, toolUseId });
  return result.content;
}

/** curl's HTTP status (000: no answer) and its output, through the sandbox's proxy. */
const curl = (sandbox: SandboxRecord, args: string) =>
  bash(sandbox, `curl -sS -m 10 -w ' status=%{http_code}' ${args} 2>&1`);

async function events(sessionId: string): Promise<SessionEvent[]> {
  return (await request(bus, STORE_RPC.eventsList, { session_id: sessionId, limit: 1000 })).data;
}

describe("where a sandbox may connect", () => {
  test("finding 2: a bare allowed host opens ports 80 and 443 only, never NATS or another port", async () => {
    const { sandbox } = await sandboxWith(limited(["localhost", "127.0.0.1"]));
    const before = seen.length;
    // The address is one the operator opened, so only the port rule stands between.
    expect(await curl(sandbox, `http://localhost:${httpPort}/bare`)).toContain("status=403");
    expect(await curl(sandbox, `http://127.0.0.1:${httpPort}/bare`)).toContain("status=403");
    expect(await curl(sandbox, `http://localhost:${natsPort}/`)).toContain("status=403");
    expect(await curl(sandbox, `https://localhost:${natsPort}/`)).toMatch(/status=000|403/);
    expect(seen.slice(before)).toEqual([]);
  }, 90_000);

  test("finding 2 and 9: loopback, metadata and other non-public addresses are refused even when listed by name", async () => {
    const { sandbox } = await sandboxWith(
      limited([
        `127.0.0.1:${secretPort}`,
        `localhost:${natsPort}`,
        "169.254.169.254",
        `127.0.0.1:${httpPort}`,
      ]),
    );
    const before = seen.length;
    const refused = await curl(sandbox, `http://127.0.0.1:${secretPort}/`);
    expect(refused).toContain("status=403");
    expect(refused).toContain("not a public address");
    expect(await curl(sandbox, `http://localhost:${natsPort}/`)).toContain("not a public address");
    expect(await curl(sandbox, "http://169.254.169.254/latest/meta-data/")).toContain("not a public address");
    expect(seen.slice(before).filter((s) => s.server === "secret")).toEqual([]);
    // What the operator opened is reachable.
    expect(await curl(sandbox, `http://127.0.0.1:${httpPort}/ok`)).toContain("status=200");
  }, 90_000);

  test("finding 9: unrestricted networking is the public internet only, never this host or reserved ranges", async () => {
    const { sandbox } = await sandboxWith({ type: "unrestricted" });
    for (const url of [
      `http://127.0.0.1:${secretPort}/`,
      `http://localhost:${natsPort}/`,
      `http://[::ffff:127.0.0.1]:${secretPort}/`,
      `http://0.0.0.0:${secretPort}/`,
      "http://169.254.169.254/",
      "http://100.100.100.200/",
      "http://192.0.2.1/",
      "http://198.18.0.1/",
      "http://10.0.0.1/",
      "http://[64:ff9b::7f00:1]/",
      "http://[2002:7f00:1::]/",
    ])
      expect(await curl(sandbox, url)).toContain("not a public address");
    // No internet here: the public side is proved by the unit tests (egress-address.test.ts); what the
    // operator opened goes through under unrestricted too.
    expect(await curl(sandbox, `http://127.0.0.1:${httpPort}/ok`)).toContain("status=200");
  }, 90_000);

  test("finding 12: the proxy listens only on the sandbox network's gateway, not on loopback", async () => {
    const { sandbox } = await sandboxWith(limited([`127.0.0.1:${httpPort}`]));
    const proxy = new URL(/http:\/\/\S+/.exec(await bash(sandbox, 'printf %s "$HTTPS_PROXY"'))![0]);
    const reachable = (host: string) =>
      new Promise<boolean>((resolve) => {
        const socket = connect(Number(proxy.port), host);
        socket.once("connect", () => (socket.destroy(), resolve(true)));
        socket.once("error", () => resolve(false));
      });
    expect(await reachable(proxy.hostname)).toBe(true);
    expect(await reachable("127.0.0.1")).toBe(false);
  }, 90_000);
});

describe("what a request may claim", () => {
  test("finding 5: a Host header other than the URL's host is refused, and nothing is sent", async () => {
    const { sandbox } = await sandboxWith(limited([`127.0.0.1:${httpPort}`, `localhost:${httpsPort}`]));
    const before = seen.length;
    const plain = await curl(sandbox, `-H 'Host: evil.example' http://127.0.0.1:${httpPort}/host`);
    expect(plain).toContain("status=403");
    expect(plain).toContain("does not match");
    const tls = await curl(
      sandbox,
      `-H "Authorization: Bearer $API_TOKEN" -H 'Host: evil.example' https://localhost:${httpsPort}/host`,
    );
    expect(tls).toContain("status=403");
    const absolute = await curl(
      sandbox,
      `-H "Authorization: Bearer $API_TOKEN" --request-target https://evil.example/x https://localhost:${httpsPort}/`,
    );
    expect(absolute).toContain("status=403");
    expect(seen.slice(before)).toEqual([]);
  }, 90_000);

  test("finding 12: a secret never goes over plain HTTP, nor to another port of its host", async () => {
    const { sandbox } = await sandboxWith(limited([`127.0.0.1:${httpPort}`, `localhost:${httpsPort}`]), [
      `127.0.0.1:${httpPort}`,
      "localhost",
    ]);
    const before = seen.length;
    const plain = await curl(
      sandbox,
      `-H "Authorization: Bearer $API_TOKEN" http://127.0.0.1:${httpPort}/plain`,
    );
    expect(plain).toContain("status=403");
    expect(plain).toContain("only over TLS");
    // The credential names localhost (443 alone); the environment would allow this other port.
    expect(
      await curl(sandbox, `-H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/port`),
    ).toContain("status=403");
    expect(seen.slice(before)).toEqual([]);
  }, 90_000);
});

describe("what comes back", () => {
  test("finding 3: answers are scrubbed of the secret in every common form, and the tool ledger never holds it", async () => {
    const { sandbox } = await sandboxWith(limited([`localhost:${httpsPort}`]));
    const placeholder = /corral_ph_[A-Za-z0-9]+/.exec(await bash(sandbox, "printenv API_TOKEN"))![0];
    const toolUseId = `toolu_${randomBytes(8).toString("hex")}`;
    const out = await bash(
      sandbox,
      `curl -sS -i -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/echo; ` +
        `curl -sS -X TRACE -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/trace; ` +
        `curl -sS -I -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/head; ` +
        `curl -sS -N -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/split`,
      toolUseId,
    );
    // The upstream did get the secret (so the echo had it to give back) ...
    expect(seen.some((s) => s.url === "/echo" && s.headers.includes(CANARY))).toBe(true);
    // ... and the sandbox saw the placeholder in its place, in every form.
    expect(out).toContain(`x-echo: Bearer ${placeholder}`);
    expect(out).toContain(`raw=${placeholder}`);
    expect(out).toContain(`token=${placeholder};`);
    expect(out).toContain("trace=TRACE");
    expect(out.split(`set-cookie: t=${placeholder}`).length).toBe(3); // the GET's and the HEAD's
    for (const form of [
      CANARY,
      Buffer.from(CANARY).toString("base64").slice(0, -4),
      Buffer.from(`x${CANARY}`).toString("base64url").slice(4, -4),
      Buffer.from(CANARY).toString("hex"),
      CANARY.slice(10),
    ])
      expect(out).not.toContain(form);
    const ledger = await openTypedBucket(bus, BUCKETS.toolLedger, z.unknown());
    const entry = await waitFor(async () => (await ledger.get(toolUseId))?.value ?? null);
    expect(JSON.stringify(entry)).toContain(placeholder);
    expect(JSON.stringify(entry)).not.toContain(CANARY);
    expect(JSON.stringify(entry)).not.toContain(CANARY.slice(10));
  }, 90_000);
});

describe("audit and tokens", () => {
  test("finding 12: a credential use is audited when the upstream never answers or resets", async () => {
    const { sessionId, sandbox } = await sandboxWith(limited([`localhost:${httpsPort}`]));
    // The sandbox waits as long as it takes: the proxy gives up on the silent upstream and says so.
    const hang = await bash(
      sandbox,
      `curl -sS -w ' status=%{http_code}' -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/hang`,
    );
    expect(hang).toContain("status=502");
    await curl(sandbox, `-H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/reset`);
    const uses = await waitFor(async () => {
      const found = (await events(sessionId)).filter((e) => e.type === "span.credential_use");
      return found.length >= 2 ? found : null;
    });
    expect(uses).toEqual([
      expect.objectContaining({ host: "localhost", status: 0 }),
      expect.objectContaining({ host: "localhost", status: 0 }),
    ]);
  }, 90_000);

  test("finding 12: a destroyed sandbox's proxy token is refused at once", async () => {
    const { sandbox } = await sandboxWith(limited([`127.0.0.1:${httpPort}`]));
    const proxy = new URL(/http:\/\/\S+/.exec(await bash(sandbox, 'printf %s "$HTTPS_PROXY"'))![0]);
    expect(await curl(sandbox, `http://127.0.0.1:${httpPort}/alive`)).toContain("status=200");
    await request(
      bus,
      SANDBOX_RPC.destroy,
      { sandbox_id: sandbox.id, remove_workspace: true },
      { subject: sandboxSubject(sandbox.id, "destroy"), timeoutMs: 60_000 },
    );
    const status = await new Promise<number>((resolve, reject) => {
      const auth = Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`);
      const req = httpRequest({
        host: proxy.hostname,
        port: Number(proxy.port),
        path: `http://127.0.0.1:${httpPort}/after-destroy`,
        headers: { "proxy-authorization": `Basic ${auth.toString("base64")}` },
      });
      req.on("response", (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(407);
    expect(seen.some((s) => s.url === "/after-destroy")).toBe(false);
  }, 90_000);
});

describe("MCP server URLs (called from the host)", () => {
  /** A session whose agent has one MCP server, `inside`, at `url`; its vaults `vaultIds`. */
  async function mcpSession(url: string, vaultIds: string[] = []): Promise<string> {
    const agent = await request(bus, STORE_RPC.agentsCreate, {
      name: "mcp attacker",
      model: "m",
      mcp_servers: [{ type: "url", name: "inside", url }],
    });
    const environment = await makeEnvironment(bus, limited([]));
    const session = await request(bus, STORE_RPC.sessionsCreate, {
      agent: agent.id,
      environment_id: environment.id,
      vault_ids: vaultIds,
    });
    return session.id;
  }

  /** The error listing `inside`'s tools ends with (null if it succeeds). */
  const listToolsError = (sessionId: string) =>
    request(bus, MCP_RPC.listTools, { session_id: sessionId, mcp_server_name: "inside" }).then(
      () => null,
      (e: Error) => e,
    );

  test("finding 6: loopback and metadata MCP URLs are refused, and no answer body is echoed", async () => {
    for (const url of [
      `http://127.0.0.1:${secretPort}/mcp`,
      `http://localhost:${secretPort}/mcp`,
      "http://169.254.169.254/mcp",
    ]) {
      const before = seen.length;
      const error = await listToolsError(await mcpSession(url));
      expect(error?.message).toContain("not a public address");
      expect(error?.message).not.toContain("INTERNAL-ONLY");
      expect(seen.slice(before).filter((s) => s.server === "secret")).toEqual([]);
    }
  }, 60_000);

  test("finding 6: a failing server the operator allows is quoted in a bounded snippet, without the token", async () => {
    const url = `http://127.0.0.1:${loudPort}/mcp`;
    const { vault } = await makeVaultCredential(bus, "mcp", {
      type: "static_bearer",
      mcp_server_url: url,
      token: CANARY,
    });
    const error = await listToolsError(await mcpSession(url, [vault.id]));
    expect(error).not.toBeNull();
    expect(error!.message.length).toBeLessThan(400);
    expect(error!.message).not.toContain(CANARY);
    expect(error!.message).not.toContain("y".repeat(300));
  }, 60_000);
});
