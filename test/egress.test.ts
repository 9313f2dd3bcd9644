import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type IncomingHttpHeaders,
} from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SANDBOX_RPC, STORE_RPC, type SessionEvent, type SandboxRecord } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import { createCertificateAuthority, createIssuer } from "@corral/credential-proxy";
import { makeVaultCredential } from "@corral/credential-proxy/testing";
import { makeLimitedEnvironment } from "@corral/session-store/testing";
import { removeTestContainers, runTool } from "@corral/sandbox-manager/testing";
import { startEgressStack } from "./support/egress-stack.js";

// Real services as processes (their logs are searched for the secret), a real sandbox on Docker, and real
// HTTPS and HTTP servers on the host's loopback standing in for an API that wants a bearer token.
let system: TestSystem;
let bus: Bus;
let https: HttpsServer;
let http: HttpServer;
let httpsPort: number;
let httpPort: number;
const seen: { server: string; url: string; headers: IncomingHttpHeaders }[] = [];
const CANARY = `canary-${randomBytes(16).toString("hex")}`;

beforeAll(async () => {
  // The upstream's own CA, which the proxy is told to trust (as it would trust a public CA).
  const upstreamCa = await createCertificateAuthority("Test upstream CA");
  const leaf = await createIssuer(upstreamCa)("localhost");
  const dir = mkdtempSync(join(tmpdir(), "corral-egress-"));
  writeFileSync(join(dir, "upstream-ca.pem"), upstreamCa.certPem);

  https = createHttpsServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    seen.push({ server: "https", url: req.url ?? "", headers: req.headers });
    if (req.url?.startsWith("/repo.git/info/refs")) {
      // git's "dumb" HTTP protocol: enough for `git ls-remote`.
      if (req.headers.authorization !== `Bearer ${CANARY}`)
        return void res.writeHead(401, { "www-authenticate": "Bearer" }).end();
      return void res
        .writeHead(200, { "content-type": "text/plain" })
        .end("0123456789abcdef0123456789abcdef01234567\trefs/heads/main\n");
    }
    if (req.headers.authorization === `Bearer ${CANARY}`)
      return void res.writeHead(200).end("hello, authorized\n");
    res.writeHead(401).end("who are you?\n");
  });
  http = createHttpServer((req, res) => {
    seen.push({ server: "http", url: req.url ?? "", headers: req.headers });
    res.writeHead(200).end("plain hello\n");
  });
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  httpsPort = (https.address() as AddressInfo).port;
  httpPort = (http.address() as AddressInfo).port;

  system = await startSystem("client");
  bus = system.bus;
  // The stand-in upstreams are on loopback, which no sandbox reaches unless the operator names it.
  await startEgressStack(
    system,
    dir,
    { EGRESS_ALLOW_ADDRESSES: `127.0.0.1:${httpsPort},127.0.0.1:${httpPort}` },
    { LOG_LEVEL: "debug" },
  );
});

afterAll(async () => {
  await system?.stop();
  await removeTestContainers();
  https?.close();
  http?.close();
});

async function sessionWithSecret(): Promise<{ sessionId: string; credentialId: string }> {
  const environment = await makeLimitedEnvironment(bus, [`localhost:${httpsPort}`, `127.0.0.1:${httpPort}`]);
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "egress", model: "m" });
  const { vault, credential } = await makeVaultCredential(bus, "egress test", {
    type: "environment_variable",
    secret_name: "API_TOKEN",
    secret_value: CANARY,
    networking: { type: "limited", allowed_hosts: [`localhost:${httpsPort}`] },
  });
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    vault_ids: [vault.id],
  });
  return { sessionId: session.id, credentialId: credential.id };
}

const outputs: string[] = [];
async function bash(sandbox: SandboxRecord, command: string): Promise<string> {
  const result = await runTool(bus, sandbox, "bash", { command }, { timeoutMs: 60_000 });
  outputs.push(result.content);
  return result.content;
}

test("a sandbox uses a secret it never holds: injected for its host, refused elsewhere, and found nowhere", async () => {
  const { sessionId, credentialId } = await sessionWithSecret();
  const sandbox = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: sessionId, spec: {} },
    { timeoutMs: 60_000 },
  );

  // The sandbox sees a placeholder, and its requests to the credential's host carry the real secret.
  const placeholder = (await bash(sandbox, "printenv API_TOKEN")).match(/corral_ph_[A-Za-z0-9]+/)?.[0];
  expect(placeholder).toBeDefined();
  expect(
    await bash(sandbox, `curl -sS -H "Authorization: Bearer $API_TOKEN" https://localhost:${httpsPort}/data`),
  ).toContain("hello, authorized");
  expect(
    await bash(
      sandbox,
      `git -c http.extraHeader="Authorization: Bearer $API_TOKEN" ls-remote https://localhost:${httpsPort}/repo.git`,
    ),
  ).toContain("refs/heads/main");

  // A host outside the environment's allowed_hosts is refused, at CONNECT and for plain HTTP.
  expect(
    await bash(sandbox, "curl -sS -o /dev/null -w '%{http_code}' https://example.com/ ; echo \" exit=$?\""),
  ).toMatch(/403|exit=56/);
  expect(await bash(sandbox, "curl -sS http://example.com/")).toContain(
    "not in the environment's allowed_hosts",
  );
  // The placeholder sent to an allowed host that is not the credential's is blocked before it leaves.
  const before = seen.length;
  expect(
    await bash(sandbox, `curl -sS -H "X-Token: $API_TOKEN" http://127.0.0.1:${httpPort}/leak`),
  ).toContain("may not be sent to 127.0.0.1");
  expect(seen.slice(before).some((s) => s.url === "/leak")).toBe(false);
  // Without the placeholder the same host is fine.
  expect(await bash(sandbox, `curl -sS http://127.0.0.1:${httpPort}/fine`)).toContain("plain hello");
  // No direct route exists: without the proxy nothing leaves the sandbox.
  expect(
    await bash(sandbox, `curl -sS --noproxy '*' -m 5 http://127.0.0.1:${httpPort}/direct; echo " exit=$?"`),
  ).toMatch(/exit=(7|28)/);

  // The upstream saw the real secret only where it was meant to.
  expect(
    seen.filter((s) => JSON.stringify(s.headers).includes(CANARY)).every((s) => s.server === "https"),
  ).toBe(true);

  // The canary is nowhere it must not be: the sandbox's environment, files, processes and outputs ...
  await bash(sandbox, "sleep 30 & echo started");
  // The pattern is assembled inside the sandbox, and the processes are listed before anything searches
  // for it, so the search does not find itself.
  const [a, b] = [CANARY.slice(0, 10), CANARY.slice(10, 24)];
  const inside = await bash(
    sandbox,
    `P="${a}""${b}"; { env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; ps auxe; } > /tmp/inside.txt; echo "files: $(grep -rIl "$P" / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | wc -l) env+processes: $(grep -c "$P" /tmp/inside.txt)"`,
  );
  expect(inside).toContain("files: 0 env+processes: 0");
  // The same search does find what is there: the placeholder.
  expect(await bash(sandbox, `echo "placeholders: $(grep -c "${placeholder!}" /tmp/inside.txt)"`)).toMatch(
    /placeholders: [1-9]/,
  );
  for (const output of outputs) expect(output).not.toContain(CANARY);

  // ... the session log, which records each use and each refusal without the value ...
  const events = await waitFor(async () => {
    const list = await request(bus, STORE_RPC.eventsList, { session_id: sessionId, limit: 1000 });
    return list.data.filter((e) => e.type === "span.credential_use").length >= 2 &&
      list.data.some((e) => e.type === "span.egress_blocked" && "credential_id" in e && e.credential_id)
      ? list.data
      : null;
  });
  expect(JSON.stringify(events)).not.toContain(CANARY);
  const uses = events.filter(
    (e): e is Extract<SessionEvent, { type: "span.credential_use" }> => e.type === "span.credential_use",
  );
  expect(uses[0]).toMatchObject({
    credential_id: credentialId,
    host: "localhost",
    method: "GET",
    status: 200,
  });
  const blocks = events.filter(
    (e): e is Extract<SessionEvent, { type: "span.egress_blocked" }> => e.type === "span.egress_blocked",
  );
  expect(blocks.map((b) => b.host)).toEqual(expect.arrayContaining(["example.com", "127.0.0.1"]));
  expect(blocks.find((b) => b.host === "127.0.0.1")).toMatchObject({ credential_id: credentialId });

  // ... and every service's log output.
  for (const service of system.processes) expect(service.output()).not.toContain(CANARY);
});

test("a sandbox of a session without the proxy's token gets 407, and a forged token is refused", async () => {
  const { sessionId } = await sessionWithSecret();
  const sandbox = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: sessionId, spec: {} },
    { timeoutMs: 60_000 },
  );
  const forged = await bash(
    sandbox,
    `P=$(echo "$HTTPS_PROXY" | sed -E 's#(//[^:]+:)[^@]+@#\\1forged@#'); curl -sS -o /dev/null -w '%{http_code}' -x "$P" http://127.0.0.1:${httpPort}/x`,
  );
  expect(forged).toContain("407");
});
