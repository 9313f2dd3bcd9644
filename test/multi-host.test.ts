import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  HOST_RPC,
  SANDBOX_RPC,
  hostSubject,
  newId,
  sandboxSubject,
  type SandboxRecord,
  type SessionEvent,
  type SessionId,
} from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import {
  freePort,
  spawnService,
  untilAnswers,
  waitFor,
  type ScriptedModel,
  type ServiceProcess,
} from "@corral/testing";
import {
  eventsUntil,
  isIdle,
  newSession,
  say,
  send,
  startBrainStack,
  type BrainStack,
} from "@corral/harness/testing";
import { RUN_LABEL, removeTestContainers, runTool } from "@corral/sandbox-manager/testing";

/**
 * Two "hosts" on this one Docker engine: a sandbox-manager and a credential-proxy each, paired by
 * CORRAL_HOST_ID (the stand-in for two machines). Host A has room for one sandbox, host B for two.
 */
let stack: BrainStack;
let bus: Bus;
let model: ScriptedModel;
let dir: string;
const processes: ServiceProcess[] = [];
const masterKey = randomBytes(32).toString("base64");
const hostA = `mh-a-${randomBytes(3).toString("hex")}`;
const hostB = `mh-b-${randomBytes(3).toString("hex")}`;
const ports: Record<string, number> = {};
const toolset = { tools: [{ type: "agent_toolset_20260401" as const }] };
let session: SessionId;
let managerA: ServiceProcess;

function startProxy(host: string): ServiceProcess {
  const proc = spawnService("credential-proxy", {
    NATS_URL: stack.nats.url,
    LOG_LEVEL: "warn",
    CORRAL_HOST_ID: host,
    EGRESS_PORT: String(ports[host]),
    CORRAL_MASTER_KEY: masterKey,
  });
  processes.push(proc);
  return proc;
}

async function startManager(
  host: string,
  max: number,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  const proc = spawnService("sandbox-manager", {
    ...extra,
    NATS_URL: stack.nats.url,
    CORRAL_HOST_ID: host,
    SANDBOX_MAX: String(max),
    SANDBOX_HOST_LOST_MS: "3000",
    SANDBOX_NETWORK: "corral-sandboxes-test",
    SANDBOX_WARM_POOL: "0",
    SANDBOX_MEMORY_MB: "128",
    SANDBOX_PIDS: "64",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    SANDBOX_STATE_DIR: join(dir, host),
  });
  processes.push(proc);
  await waitFor(() => proc.output().includes("sandbox-manager started"), { timeoutMs: 30_000 }).catch(
    (error: unknown) => {
      throw new Error(`manager ${host} did not start: ${proc.output().slice(-2000)}`, { cause: error });
    },
  );
  return proc;
}

const egressAnswers = (host: string) =>
  untilAnswers(() =>
    request(
      bus,
      HOST_RPC.egressConfig,
      { sandbox_id: newId("sandbox") },
      { subject: hostSubject(HOST_RPC.egressConfig, host), timeoutMs: 1000 },
    ),
  );

const bash = (command: string) => ({
  type: "message" as const,
  content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
});
const done = (text: string) => ({ type: "message" as const, content: [{ type: "text" as const, text }] });
const showProxyPort = "echo port=${HTTPS_PROXY##*:}";

const positions = new Map<SessionId, number>();

async function turn(text: string, sid = session): Promise<SessionEvent[]> {
  await send(bus, sid, say(text));
  const events = await eventsUntil(bus, sid, isIdle, positions.get(sid) ?? 0, 60_000);
  positions.set(sid, (positions.get(sid) ?? 0) + events.length);
  return events;
}

const results = (events: SessionEvent[]) =>
  events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
const sandboxesOf = async (sessionId: SessionId) =>
  (await request(bus, SANDBOX_RPC.list, { session_id: sessionId })).data;
const provisionFor = async (sessionId: SessionId): Promise<SandboxRecord> =>
  request(bus, SANDBOX_RPC.provision, { session_id: sessionId, spec: {} }, { timeoutMs: 60_000 });

beforeAll(async () => {
  stack = await startBrainStack();
  ({ bus, model } = stack);
  dir = mkdtempSync(join(tmpdir(), "corral-multi-host-"));
  ports[hostA] = await freePort();
  ports[hostB] = await freePort();
  startProxy(hostA);
  startProxy(hostB);
  managerA = await startManager(hostA, 1);
  await egressAnswers(hostA);
  await egressAnswers(hostB);
  session = await newSession(bus, toolset);
}, 120_000);

afterAll(async () => {
  for (const proc of processes) await proc.kill("SIGTERM");
  await stack?.close();
  await removeTestContainers();
  rmSync(dir, { recursive: true, force: true });
});

test("each sandbox is pointed at the credential-proxy of its own host, and a full host places provisions on the other", async () => {
  model.script(bash(`${showProxyPort}; echo kept > /workspace/kept.txt`), done("one"));
  const first = results(await turn("start"));
  expect(first[0]).toMatchObject({ is_error: false });
  expect(JSON.stringify(first[0])).toContain(`port=${ports[hostA]}`);
  expect((await sandboxesOf(session)).map((s) => s.host)).toEqual([hostA]);

  await startManager(hostB, 2);
  // Host A is full: whichever manager takes these provisions, they go to host B, behind B's proxy.
  const onB = [await provisionFor(await newSession(bus)), await provisionFor(await newSession(bus))];
  for (const sandbox of onB) {
    expect(sandbox.host).toBe(hostB);
    const shown = await runTool(bus, sandbox, "bash", { command: showProxyPort });
    expect(shown.content).toContain(`port=${ports[hostB]}`);
  }
  // Asked again (a caller's retry), whichever manager takes it: the owner's sandbox on its host, not a second one.
  for (let i = 0; i < 4; i += 1)
    expect((await provisionFor(onB[0]!.session_id as SessionId)).id).toBe(onB[0]!.id);
  // Both full: a typed, retryable refusal (the harness asks again), never a sandbox over a host's limit.
  const refused = await provisionFor(await newSession(bus)).catch((error: unknown) => error);
  expect(refused).toMatchObject({ code: "UNAVAILABLE", retryable: true });
  await request(
    bus,
    SANDBOX_RPC.destroy,
    { sandbox_id: onB[1]!.id, remove_workspace: true },
    { subject: sandboxSubject(onB[1]!.id, "destroy") },
  );
});

test("a lost host loses its sandboxes: the session's next tool call is a tool error, and it goes on with a fresh workspace on the other host", async () => {
  const [before] = await sandboxesOf(session);
  await managerA.kill("SIGKILL");
  model.script(bash("cat /workspace/kept.txt"), bash(`ls -A /workspace; ${showProxyPort}`), done("two"));
  const events = await turn("again");
  const [lost, next] = results(events);
  expect(lost).toMatchObject({ is_error: true });
  expect(JSON.stringify(lost)).toContain("lost");
  expect(events.some((e) => e.type === "span.sandbox_lost")).toBe(true);
  expect(next).toMatchObject({ is_error: false });
  expect(JSON.stringify(next)).toContain(`port=${ports[hostB]}`);
  // A per-host volume cannot move: the workspace on host B is a new one.
  expect(JSON.stringify(next)).not.toContain("kept.txt");
  expect(events.at(-1)).toMatchObject({ type: "session.status_idle" });

  const after = await sandboxesOf(session);
  expect(after.find((s) => s.id === before!.id)).toMatchObject({ status: "lost", host: hostA });
  const current = after.find((s) => s.status === "ready");
  expect(current).toMatchObject({ host: hostB });
  expect(current!.workspace_volume).not.toBe(before!.workspace_volume);
}, 120_000);

test("with workspaces on shared storage (SANDBOX_WORKSPACE_ROOT), a session moved off a lost host keeps its files", async () => {
  const shared = { SANDBOX_WORKSPACE_ROOT: join(dir, "shared-workspaces") };
  const [hostC, hostD] = ["c", "d"].map((h) => `mh-${h}-${randomBytes(3).toString("hex")}`) as [
    string,
    string,
  ];
  for (const host of [hostC, hostD]) {
    ports[host] = await freePort();
    startProxy(host);
  }
  // Host B is full (its two places taken above): the session's sandbox goes to host C.
  const managerC = await startManager(hostC, 2, shared);
  await egressAnswers(hostC);
  const sid = await newSession(bus, toolset);
  const marker = `follows-${randomBytes(4).toString("hex")}`;
  model.script(bash(`echo ${marker} > /workspace/kept.txt`), done("one"));
  expect(results(await turn("start", sid))[0]).toMatchObject({ is_error: false });
  expect((await sandboxesOf(sid)).map((s) => s.host)).toEqual([hostC]);

  // Another session's sandbox on host C, which nobody asks about until it is listed.
  const other = await provisionFor(await newSession(bus));
  expect(other.host).toBe(hostC);
  await startManager(hostD, 1, shared);
  await egressAnswers(hostD);
  await managerC.kill("SIGKILL");
  model.script(bash("cat /workspace/kept.txt"), bash("cat /workspace/kept.txt"), done("two"));
  const [lost, next] = results(await turn("again", sid));
  expect(lost).toMatchObject({ is_error: true });
  expect(next).toMatchObject({ is_error: false });
  expect(JSON.stringify(next)).toContain(marker);
  expect((await sandboxesOf(sid)).find((s) => s.status === "ready")).toMatchObject({ host: hostD });
  // Listed, a lost host's sandbox is lost too (a session's deletion then does not wait on it).
  expect(await sandboxesOf(other.session_id as SessionId)).toMatchObject([{ id: other.id, status: "lost" }]);
}, 120_000);
