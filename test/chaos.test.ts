import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectBus, request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, sandboxSubject, type SessionEvent, type SessionId } from "@corral/protocol";
import {
  freePort,
  spawnService,
  startNatsServer,
  startScriptedModel,
  toolResultsIn,
  waitFor,
  type NatsServer,
  type ReceivedRequest,
  type ScriptedModel,
  type ServiceProcess,
} from "@corral/testing";
import { newSession, say, send } from "@corral/harness/testing";
import { RUN_LABEL, docker, removeTestContainers } from "@corral/sandbox-manager/testing";

/**
 * Chaos in every test run: 30 sessions of several tool calls each on a slow model, while every service is
 * SIGKILLed at random moments (and restarted, as `corral up` would), nats-server is restarted once and one
 * sandbox is killed under its session. Every session must end with its own answer, none stranded, no tool
 * effect twice, and no tool error that a restart caused.
 */
const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 30);
const STEPS = 4;
const CHAOS_MS = Number(process.env.CHAOS_MS ?? 45_000);

let nats: NatsServer;
let model: ScriptedModel;
let bus: Bus;
let dir: string;
const services = new Map<string, { start(): ServiceProcess; proc: ServiceProcess }>();

const tokenOf = (req: ReceivedRequest) => /token-[0-9a-f]+/.exec(JSON.stringify(req.body.messages[0]))?.[0];

/** Appends step k to a file in the sandbox, STEPS times, then answers with the session's own token. */
function program(req: ReceivedRequest) {
  const k = toolResultsIn(req).length;
  const latencyMs = 400 + Math.floor(Math.random() * 600);
  if (k < STEPS) {
    const command = `echo step-${k} >> /workspace/count.log; sleep 0.3`;
    return {
      type: "message" as const,
      latencyMs,
      content: [{ type: "tool_use" as const, name: "bash", input: { command } }],
    };
  }
  return {
    type: "message" as const,
    latencyMs,
    content: [{ type: "text" as const, text: `finished ${tokenOf(req)}` }],
  };
}

function supervise(name: string, start: () => ServiceProcess): void {
  services.set(name, { start, proc: start() });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "corral-chaos-"));
  nats = await startNatsServer();
  model = await startScriptedModel();
  model.setFallback(program);
  const common = { NATS_URL: nats.url, LOG_LEVEL: "warn" };
  const egressPort = String(await freePort());
  const masterKey = randomBytes(32).toString("base64");
  for (const i of [0, 1]) {
    supervise(`store-${i}`, () => spawnService("session-store", { ...common, CORRAL_TASK_INTAKE: "0" }));
    supervise(`brain-${i}`, () =>
      spawnService("harness", {
        ...common,
        HARNESS_NAME: `brain-${i}`,
        ANTHROPIC_API_KEY: "test-key",
        ANTHROPIC_BASE_URL: model.url,
        HARNESS_LEASE_TTL_MS: "2000",
      }),
    );
  }
  supervise("proxy", () =>
    spawnService("credential-proxy", { ...common, EGRESS_PORT: egressPort, CORRAL_MASTER_KEY: masterKey }),
  );
  supervise("manager", () =>
    spawnService("sandbox-manager", {
      ...common,
      CORRAL_HOST_ID: "chaos-host",
      SANDBOX_NETWORK: "corral-sandboxes-test",
      SANDBOX_WARM_POOL: "4",
      SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
      SANDBOX_STATE_DIR: join(dir, "manager"),
    }),
  );
  bus = await connectBus({ servers: nats.url, name: "chaos-client" });
  const answers = (fn: () => Promise<unknown>) => () =>
    fn().then(
      () => true,
      () => false,
    );
  await waitFor(
    answers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 })),
    { timeoutMs: 60_000 },
  );
  await waitFor(
    answers(() => request(bus, STORE_RPC.sessionsList, {}, { timeoutMs: 1000 })),
    { timeoutMs: 30_000 },
  );
}, 120_000);

afterAll(async () => {
  await Promise.all([...services.values()].map((s) => s.proc.kill("SIGTERM")));
  await bus?.close();
  await model?.close();
  await removeTestContainers();
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

const allEvents = async (sid: SessionId): Promise<SessionEvent[]> =>
  (await request(bus, STORE_RPC.eventsList, { session_id: sid, limit: 1000 })).data;

async function finished(sid: SessionId, token: string): Promise<boolean> {
  const events = await allEvents(sid).catch(() => []);
  const answered = events.some(
    (e) => e.type === "agent.message" && JSON.stringify(e).includes(`finished ${token}`),
  );
  return answered && events.at(-1)?.type === "session.status_idle";
}

async function countLog(sid: SessionId): Promise<string> {
  const sandboxes = (await request(bus, SANDBOX_RPC.list, { session_id: sid })).data;
  const sandbox = sandboxes.find((s) => s.status === "ready")!;
  const input = { command: "cat /workspace/count.log" };
  const req = {
    sandbox_id: sandbox.id,
    tool_use_id: `toolu_${randomBytes(6).toString("hex")}`,
    name: "bash",
    input,
  };
  return (await request(bus, SANDBOX_RPC.execute, req, { subject: sandboxSubject(sandbox.id, "exec") }))
    .content;
}

/** What a failed run needs to be understood: a stranded session's last events and every service's last words. */
async function explain(stranded: SessionId[]): Promise<void> {
  const sid = stranded[0];
  if (sid) {
    const events = await allEvents(sid).catch(() => []);
    console.log(
      `stranded ${sid}:`,
      events
        .slice(-8)
        .map((e) => e.type)
        .join(", "),
    );
  }
  for (const [name, service] of services) console.log(`--- ${name}\n${service.proc.output().slice(-1500)}`);
}

/** Kills a random service every 1–2.5 s and starts it again soon after; once restarts nats-server, once kills a sandbox. */
async function chaos(
  until: () => boolean,
  sessions: SessionId[],
): Promise<{ kills: number; sandboxKilledFor: SessionId | null }> {
  const names = [...services.keys()];
  const started = Date.now();
  let kills = 0;
  let natsRestarted = false;
  let sandboxKilledFor: SessionId | null = null;
  while (!until() && Date.now() - started < CHAOS_MS) {
    await sleep(1000 + Math.random() * 1500);
    if (!natsRestarted && Date.now() - started > 6000) {
      await nats.restart();
      natsRestarted = true;
      continue;
    }
    if (!sandboxKilledFor && Date.now() - started > 3000) sandboxKilledFor = await killOneSandbox(sessions);
    const name = names[Math.floor(Math.random() * names.length)]!;
    const service = services.get(name)!;
    await service.proc.kill("SIGKILL");
    kills++;
    await sleep(200 + Math.random() * 600);
    service.proc = service.start();
  }
  if (CHAOS_MS > 0) expect(natsRestarted).toBe(true);
  return { kills, sandboxKilledFor };
}

async function killOneSandbox(sessions: SessionId[]): Promise<SessionId | null> {
  for (const sid of sessions) {
    const ready = (
      await request(bus, SANDBOX_RPC.list, { session_id: sid }).catch(() => ({ data: [] }))
    ).data.find((s) => s.status === "ready");
    if (!ready) continue;
    await docker
      .getContainer(ready.container_id)
      .kill()
      .catch(() => undefined);
    return sid;
  }
  return null;
}

test("30 sessions under SIGKILLs of every service, a nats-server restart and a killed sandbox: all finish, none stranded, nothing twice, no restart seen by the model", async () => {
  const tokens = Array.from({ length: SESSIONS }, () => `token-${randomBytes(4).toString("hex")}`);
  const sessions = await Promise.all(
    tokens.map(() => newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] })),
  );
  await Promise.all(sessions.map((sid, i) => send(bus, sid, say(`count the steps, then say ${tokens[i]}`))));

  const done = new Set<number>();
  let allDone = false;
  const watcher = (async () => {
    while (!allDone) {
      await Promise.all(
        sessions.map(async (sid, i) => (done.has(i) || !(await finished(sid, tokens[i]!)) ? 0 : done.add(i))),
      );
      allDone = done.size === SESSIONS;
      await sleep(500);
    }
  })();
  const { kills, sandboxKilledFor } = await chaos(() => allDone, sessions);
  await waitFor(() => allDone, {
    timeoutMs: 120_000,
    intervalMs: 500,
    message: `stranded: ${SESSIONS - done.size} of ${SESSIONS}`,
  });
  await watcher;
  if (CHAOS_MS > 0) expect(kills).toBeGreaterThan(5);

  for (const [i, sid] of sessions.entries()) {
    const events = await allEvents(sid);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, n) => n));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const uses = events.flatMap((e) => (e.type === "agent.tool_use" ? [e.id] : []));
    const results = events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
    expect(results.map((r) => r.tool_use_id).sort()).toEqual([...uses].sort());
    const errors = results.filter((r) => r.is_error).map((r) => JSON.stringify(r.content));
    const provisionErrors = events.flatMap((e) =>
      e.type === "span.sandbox_provision_end" && e.is_error ? [e.error_message] : [],
    );
    const log = await countLog(sid);
    for (let k = 0; k < STEPS; k++) expect(log.split(`step-${k}\n`).length - 1).toBeLessThanOrEqual(1);
    if (sid === sandboxKilledFor) {
      for (const error of errors) expect(error).toMatch(/sandbox was lost/);
      continue;
    }
    // A restart of any service is a delay, never a tool error, and every step ran exactly once.
    expect(errors, `session ${i}: ${provisionErrors.join("; ")}`).toEqual([]);
    for (let k = 0; k < STEPS; k++)
      expect(log.split(`step-${k}\n`).length - 1, `session ${i} step ${k}`).toBe(1);
  }
}, 300_000);
