import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { request } from "@corral/bus";
import { newId, SANDBOX_RPC, type SandboxRecord, type SessionEvent } from "@corral/protocol";
import { freePort, lastUserText, type ScriptedReply, type ScriptedTurn } from "@corral/testing";
import { createCertificateAuthority, createIssuer } from "@corral/credential-proxy";
import { eventsUntil, isIdle } from "@corral/harness/testing";
import { docker, runTool } from "@corral/sandbox-manager/testing";
import { startProcessStack, type ProcessStack } from "./support/process-stack.js";
import { startGitHttpsServer, type GitHttpsServer } from "./support/git-https-server.js";

// A github_repository resource through the official SDK (unchanged but for baseURL and key), against every
// service as a process and a real git smart-HTTP server (`git http-backend`) on loopback behind HTTPS that
// wants a token. The token is a canary: afterwards it is searched for in the event log, the session and its
// resources as returned, every service's log output, and the sandbox's files, environment and processes.
const TOKEN = `ghs_canary${randomBytes(16).toString("hex")}`;
let stack: ProcessStack;
let client: Anthropic;
let repo: GitHttpsServer;
let agentId: string;
let environmentId: string;

beforeAll(async () => {
  const upstreamCa = await createCertificateAuthority("Test git CA");
  repo = await startGitHttpsServer(await createIssuer(upstreamCa)("localhost"), TOKEN);
  const dir = mkdtempSync(join(tmpdir(), "corral-repo-"));
  writeFileSync(join(dir, "upstream-ca.pem"), upstreamCa.certPem);
  stack = await startProcessStack("repo", {
    LOG_LEVEL: "debug",
    EGRESS_UPSTREAM_CA_FILE: join(dir, "upstream-ca.pem"),
    EGRESS_ALLOW_ADDRESSES: `127.0.0.1:${repo.port}`,
  });
  client = new Anthropic({ apiKey: stack.key, baseURL: stack.api, maxRetries: 0 });
  const environment = await client.beta.environments.create({
    name: `repo-${Date.now()}`,
    config: { type: "cloud", networking: { type: "unrestricted" }, packages: { type: "packages" } },
  });
  const agent = await client.beta.agents.create({
    name: "repo-agent",
    model: "claude-test",
    tools: [{ type: "agent_toolset_20260401" }],
  });
  [agentId, environmentId] = [agent.id, environment.id];
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  repo?.close();
});

const bash = (command: string): ScriptedReply => ({
  type: "message",
  content: [{ type: "tool_use", name: "bash", input: { command } }],
});
const echo: ScriptedTurn = (req) => ({
  type: "message",
  content: [{ type: "text", text: lastUserText(req) }],
});
const results = (events: SessionEvent[]) =>
  events.filter(
    (e): e is Extract<SessionEvent, { type: "agent.tool_result" }> => e.type === "agent.tool_result",
  );

/** Sends a message and collects the turn's events until the session is idle again. */
async function turn(sessionId: string, text: string): Promise<SessionEvent[]> {
  const from = (await allEventsOf(sessionId)).length;
  await client.beta.sessions.events.send(sessionId, {
    events: [{ type: "user.message", content: [{ type: "text", text }] }],
  });
  return eventsUntil(stack.bus, sessionId, isIdle, from, 240_000);
}

async function allEventsOf(sessionId: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const event of client.beta.sessions.events.list(sessionId, { limit: 100 })) out.push(event);
  return out;
}

type RepositoryParams = Anthropic.Beta.Sessions.BetaManagedAgentsGitHubRepositoryResourceParams;

/** A session with the test repository (with the canary token unless `over` says otherwise), and `more`. */
const sessionWithRepo = (over: Partial<RepositoryParams> = {}, ...more: RepositoryParams[]) =>
  client.beta.sessions.create({
    agent: agentId,
    environment_id: environmentId,
    resources: [{ type: "github_repository", url: repo.url, authorization_token: TOKEN, ...over }, ...more],
  });

async function sandboxOf(sessionId: string): Promise<SandboxRecord> {
  const { data } = await request(stack.bus, SANDBOX_RPC.list, { session_id: sessionId });
  const ready = data.find((s) => s.status === "ready");
  if (!ready) throw new Error(`session ${sessionId} has no ready sandbox`);
  return ready;
}

test("a repository is cloned at a commit through the proxy, and its token is found nowhere", async () => {
  const session = await sessionWithRepo({ checkout: { type: "commit", sha: repo.firstSha } });
  expect(session.resources).toEqual([
    expect.objectContaining({
      type: "github_repository",
      url: repo.url,
      mount_path: "/workspace/repo",
      checkout: { type: "commit", sha: repo.firstSha },
    }),
  ]);

  stack.model.script(
    bash(
      `git -C /workspace/repo log --format=%H -1; cat /workspace/repo/README.md; curl -s -o /dev/null -w '%{http_code}' https://localhost:${repo.port}/elsewhere`,
    ),
    echo,
  );
  const events = await turn(session.id, "show me the repository");
  const [result] = results(events);
  expect(result?.is_error).toBeFalsy();
  const output = JSON.stringify(result?.content);
  expect(output).toContain(repo.firstSha);
  expect(output).toContain("first version");
  // The token went only to the repository's own URL: a request elsewhere on the same host got none.
  expect(output).toContain("401");
  expect(repo.seen.filter((s) => s.path.startsWith("/elsewhere")).every((s) => !s.authorization)).toBe(true);
  expect(repo.seen.some((s) => s.path.startsWith("/repo.git/") && s.authorized)).toBe(true);

  // Nowhere in the sandbox: files (git config included), environment, processes.
  const sandbox = await sandboxOf(session.id);
  const [a, b] = [TOKEN.slice(0, 12), TOKEN.slice(12)];
  const inside = await runTool(
    stack.bus,
    sandbox,
    "bash",
    {
      command: `P="${a}""${b}"; { env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; ps auxe; git -C /workspace/repo config --list; } > /tmp/inside.txt; echo "files: $(grep -rIl "$P" / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | wc -l) env: $(grep -c "$P" /tmp/inside.txt)"`,
    },
    { timeoutMs: 120_000 },
  );
  expect(inside.content).toContain("files: 0 env: 0");

  // Nowhere in what the API returns, the event log, or any service's log output.
  const returned = [
    await client.beta.sessions.retrieve(session.id),
    await client.beta.sessions.resources.list(session.id),
    await allEventsOf(session.id),
  ];
  expect(JSON.stringify(returned)).not.toContain(TOKEN);
  expect(JSON.stringify(returned)).not.toContain("sealed");
  for (const service of stack.system.processes) expect(service.output()).not.toContain(TOKEN);
});

test("a session that uses no tool clones nothing: the repository waits for a sandbox, like the sandbox itself", async () => {
  const session = await sessionWithRepo();
  const before = repo.seen.length;
  stack.model.script({ type: "message", content: [{ type: "text", text: "no tools needed" }] });
  const events = await turn(session.id, "just chat");
  expect(events.some((e) => e.type.startsWith("span.sandbox"))).toBe(false);
  expect((await request(stack.bus, SANDBOX_RPC.list, { session_id: session.id })).data).toEqual([]);
  expect(repo.seen.slice(before)).toEqual([]);
});

test("under limited networking the repository is still cloned, and only its URL is reachable on its host", async () => {
  const limited = await client.beta.environments.create({
    name: `repo-limited-${Date.now()}`,
    config: {
      type: "cloud",
      networking: { type: "limited", allowed_hosts: ["allowed.example"] },
      packages: { type: "packages" },
    },
  });
  const session = await client.beta.sessions.create({
    agent: agentId,
    environment_id: limited.id,
    resources: [{ type: "github_repository", url: repo.url, authorization_token: TOKEN }],
  });
  const before = repo.seen.length;
  const elsewhere = `curl -s -o /dev/null -w '%{http_code}' https://localhost:${repo.port}/elsewhere-limited`;
  stack.model.script(bash(`git -C /workspace/repo log --format=%H -1; ${elsewhere}`), echo);
  const [result] = results(await turn(session.id, "look"));
  expect(result?.is_error).toBeFalsy();
  const output = JSON.stringify(result?.content);
  expect(output).toContain(repo.headSha);
  // Refused by the proxy (403), never sent: the server saw the clone and nothing else.
  expect(output).toContain("403");
  expect(repo.seen.slice(before).some((s) => s.path.includes("elsewhere-limited"))).toBe(false);
  expect(repo.seen.slice(before).every((s) => s.path.startsWith("/repo.git/"))).toBe(true);
});

test("a thread's own sandbox (its own workspace) gets the session's repository too", async () => {
  const session = await sessionWithRepo({ checkout: { type: "commit", sha: repo.firstSha } });
  const owner = newId("thread");
  const sandbox = await request(
    stack.bus,
    SANDBOX_RPC.provision,
    { session_id: session.id, owner, spec: {} },
    { timeoutMs: 120_000 },
  );
  expect(sandbox.holders).toEqual([owner]);
  const result = await runTool(
    stack.bus,
    sandbox,
    "bash",
    { command: "git -C /workspace/repo log --format=%H -1" },
    { timeoutMs: 120_000 },
  );
  expect(result).toMatchObject({ is_error: false });
  expect(result.content).toContain(repo.firstSha);
});

test("a re-provisioned sandbox finds the repository as the agent left it (not cloned again over it)", async () => {
  const session = await sessionWithRepo();
  stack.model.script(
    bash("echo mine > /workspace/repo/notes.txt; git -C /workspace/repo log --format=%H -1"),
    echo,
  );
  const first = results(await turn(session.id, "edit"));
  expect(JSON.stringify(first[0]?.content)).toContain(repo.headSha);
  const before = repo.seen.length;
  await docker.getContainer((await sandboxOf(session.id)).container_id).kill();
  const look: ScriptedTurn = (req) =>
    lastUserText(req).includes("kept: mine")
      ? { type: "message", content: [{ type: "text", text: "kept" }] }
      : bash('echo "kept: $(cat /workspace/repo/notes.txt)"');
  stack.model.script(look, look, look);
  const events = await turn(session.id, "look again");
  expect(events.some((e) => e.type === "span.sandbox_provision_end")).toBe(true);
  expect(JSON.stringify(results(events).at(-1)?.content)).toContain("kept: mine");
  expect(repo.seen.slice(before)).toEqual([]);
});

test("a refused repository resource is a typed 400 naming the field, and the token is not in it", async () => {
  const refused = await client.beta.sessions
    .create({
      agent: agentId,
      environment_id: environmentId,
      resources: [
        { type: "github_repository", url: repo.url, authorization_token: TOKEN, mount_path: "/etc/repo" },
      ],
    })
    .then(
      () => null,
      (error: unknown) => error,
    );
  expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
  const error = refused as InstanceType<typeof Anthropic.BadRequestError>;
  expect(JSON.stringify(error.error)).toContain("mount_path");
  expect(JSON.stringify(error.error)).not.toContain(TOKEN);
  expect(error.message).not.toContain(TOKEN);
});

test("a wrong token or an unreachable repository is a tool error the model sees; the session goes on", async () => {
  const closed = await freePort();
  const gone = { type: "github_repository" as const, url: `https://localhost:${closed}/gone.git` };
  const session = await sessionWithRepo(
    { authorization_token: "wrong-token" },
    { ...gone, mount_path: "/workspace/gone" },
  );
  stack.model.script(bash("echo still-here"), echo);
  const events = await turn(session.id, "look");
  const [result] = results(events);
  expect(result?.is_error).toBe(true);
  const output = JSON.stringify(result?.content);
  expect(output).toContain(`${repo.url} could not be cloned into /workspace/repo`);
  expect(output).toContain(`https://localhost:${closed}/gone.git could not be cloned into /workspace/gone`);
  expect(output).toContain("still-here");
  expect(events.at(-1)?.type).toBe("session.status_idle");

  // The session is alive: the next turn runs normally, the failure told once.
  stack.model.script(bash("echo again"), echo);
  const next = results(await turn(session.id, "again"));
  expect(next[0]?.is_error).toBeFalsy();
  expect(JSON.stringify(next[0]?.content)).toContain("again");
});

test("sessions.resources.update rotates the token: the next clone uses the new one", async () => {
  const session = await sessionWithRepo({
    authorization_token: "expired-token",
    checkout: { type: "branch", name: "main" },
  });
  stack.model.script(bash("ls /workspace"), echo);
  const first = results(await turn(session.id, "first"));
  expect(first[0]?.is_error).toBe(true);
  expect(JSON.stringify(first[0]?.content)).toContain("could not be cloned");

  const resource = session.resources[0];
  if (resource?.type !== "github_repository") throw new Error("the session has no repository resource");
  const updated = await client.beta.sessions.resources.update(resource.id, {
    session_id: session.id,
    authorization_token: TOKEN,
  });
  expect(JSON.stringify(updated)).not.toContain(TOKEN);

  // The sandbox goes (as a lost one would); the next tool call provisions a new one, which clones again.
  await docker.getContainer((await sandboxOf(session.id)).container_id).kill();
  const logHead: ScriptedTurn = (req) =>
    lastUserText(req).includes(repo.headSha)
      ? { type: "message", content: [{ type: "text", text: `head ${repo.headSha}` }] }
      : bash("git -C /workspace/repo log --format=%H -1");
  stack.model.script(logHead, logHead, logHead);
  const events = await turn(session.id, "again, with the new token");
  expect(JSON.stringify(results(events).at(-1)?.content)).toContain(repo.headSha);
  for (const service of stack.system.processes) expect(service.output()).not.toContain(TOKEN);
});

test("the token is added for its own session's sandboxes alone, and never for a path that climbs out", async () => {
  const owner = await sessionWithRepo();
  const other = await client.beta.sessions.create({ agent: agentId, environment_id: environmentId });
  const before = repo.seen.length;
  const tricks = [
    `curl -s --path-as-is -o /dev/null -w '%{http_code} ' https://localhost:${repo.port}/repo.git/../climbed`,
    `curl -s --path-as-is -o /dev/null -w '%{http_code} ' https://localhost:${repo.port}/repo.git/%2e%2e/encoded`,
  ].join("; ");
  stack.model.script(bash(tricks), echo);
  const tried = results(await turn(owner.id, "try"));
  expect(JSON.stringify(tried[0]?.content)).toContain("401 401");
  stack.model.script(bash(`git ls-remote ${repo.url} 2>&1 | tail -1`), echo);
  const stranger = results(await turn(other.id, "read their repository"));
  expect(JSON.stringify(stranger[0]?.content)).not.toContain(repo.headSha);
  const asked = repo.seen.slice(before);
  expect(asked.filter((s) => /climbed|encoded/.test(s.path)).every((s) => !s.authorization)).toBe(true);
  // The owner's clone was the only authorized request: the stranger's sandbox (a blind tunnel, no token for
  // it) got nothing from the repository.
  expect(asked.filter((s) => s.authorized && s.path.startsWith("/repo.git/info/refs"))).toHaveLength(1);
});

test("after all of the above, the token is in no service's log output", () => {
  expect(stack.system.processes.length).toBeGreaterThanOrEqual(5);
  for (const service of stack.system.processes) expect(service.output()).not.toContain(TOKEN);
});
