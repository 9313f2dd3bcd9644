import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { connectBus, openTypedBucket, request, type Bus } from "@corral/bus";
import { BUCKETS, SANDBOX_RPC, STORE_RPC, type SessionId } from "@corral/protocol";
import {
  freePort,
  answeredWith,
  runChaos,
  startNatsServer,
  startScriptedModel,
  stepCounts,
  stepProgram,
  superviseStack,
  waitFor,
  type NatsServer,
  type ScriptedModel,
  type Supervised,
  busConfigFor,
} from "@corral/testing";
import { allEvents, newSession, say, send } from "@corral/harness/testing";
import { RUN_LABEL, bashInSession, docker, removeTestContainers } from "@corral/sandbox-manager/testing";

/**
 * Chaos in every test run: 30 sessions of several tool calls each on a slow model, while every service is
 * SIGKILLed at random moments (and started again, as `corral up` would), nats-server is restarted once and
 * one sandbox is killed under its session. Every session must end with its own answer, none stranded, no
 * tool effect twice, and no tool error that a restart caused.
 */
const SESSIONS = Number(process.env.CHAOS_SESSIONS ?? 30);
const STEPS = 6;
const CHAOS_MS = Number(process.env.CHAOS_MS ?? 45_000);

let nats: NatsServer;
let model: ScriptedModel;
let bus: Bus;
let dir: string;
let services: Supervised[] = [];

const answers = (fn: () => Promise<unknown>) => () =>
  fn().then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "corral-chaos-"));
  nats = await startNatsServer();
  model = await startScriptedModel();
  model.setFallback(stepProgram(STEPS, [500, 1500]));
  services = superviseStack({
    natsUrl: nats.url,
    modelUrl: model.url,
    stateDir: join(dir, "manager"),
    sandboxLabels: RUN_LABEL,
    egressPort: await freePort(),
    masterKey: randomBytes(32).toString("base64"),
    brainLogLevel: "debug",
  });
  bus = await connectBus(busConfigFor(nats.url, "admin", "chaos-client"));
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
  await Promise.all(services.map((s) => s.stop()));
  await bus?.close();
  await model?.close();
  await removeTestContainers();
  await nats?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function finished(sid: SessionId, token: string): Promise<boolean> {
  return answeredWith(await allEvents(bus, sid).catch(() => []), token);
}

async function killOneSandbox(sessions: SessionId[]): Promise<SessionId | null> {
  for (const sid of sessions) {
    const listed = await request(bus, SANDBOX_RPC.list, { session_id: sid }).catch(() => ({ data: [] }));
    const ready = listed.data.find((s) => s.status === "ready");
    if (!ready) continue;
    await docker
      .getContainer(ready.container_id)
      .kill()
      .catch(() => undefined);
    return sid;
  }
  return null;
}

/** What a failed run needs to be understood: a stranded session's last events and every service's last words. */
async function explain(stranded: SessionId[]): Promise<string> {
  const sid = stranded[0];
  const events = sid ? await allEvents(bus, sid).catch(() => []) : [];
  const last = events.slice(-12).map((e) => e.type);
  const leases = await openTypedBucket(
    bus,
    BUCKETS.leases,
    z.object({ holder: z.string(), expires_at: z.number() }),
  );
  const lease = sid ? await leases.get(sid).catch(() => null) : null;
  const leaseLine = lease
    ? `lease: ${lease.value.holder}, expires in ${lease.value.expires_at - Date.now()} ms`
    : "no lease";
  const about = (s: Supervised) =>
    s
      .output()
      .split("\n")
      .filter((line) => (sid !== undefined && line.includes(sid)) || line.includes('"level":50'))
      .slice(-25)
      .map((line) => line.slice(0, 400))
      .join("\n");
  const words = services.map((s) => `--- ${s.name} (crashed ${s.crashes} times)\n${about(s)}`);
  return [`stranded ${stranded.length} (${sid}): ${last.join(", ")}`, leaseLine, ...words].join("\n");
}

test("30 sessions under SIGKILLs of every service, a nats-server restart and a killed sandbox: all finish, none stranded, nothing twice, no restart seen by the model", async () => {
  const tokens = Array.from({ length: SESSIONS }, () => `token-${randomBytes(4).toString("hex")}`);
  const sessions = await Promise.all(
    tokens.map(() => newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] })),
  );
  await Promise.all(sessions.map((sid, i) => send(bus, sid, say(`count the steps, then say ${tokens[i]}`))));

  const done = new Set<number>();
  const check = async () => {
    await Promise.all(
      sessions.map(async (sid, i) => (done.has(i) || !(await finished(sid, tokens[i]!)) ? 0 : done.add(i))),
    );
    return done.size === SESSIONS;
  };
  let allDone = false;
  const watcher = (async () => {
    while (!(allDone = await check())) await sleep(500);
  })();
  const chaos = {
    everyMs: [1000, 2500] as [number, number],
    downMs: [200, 800] as [number, number],
    natsRestartAfterMs: 6000,
    sandboxKill: { afterMs: 3000, kill: () => killOneSandbox(sessions) },
  };
  const report = await runChaos(services, nats, chaos, () => allDone, CHAOS_MS);
  await waitFor(() => allDone, { timeoutMs: 120_000, intervalMs: 500 }).catch(async () => {
    throw new Error(await explain(sessions.filter((_, i) => !done.has(i))));
  });
  await watcher;
  // The last service the chaos restarted may still be starting: the checks below ask the sandbox-manager.
  await waitFor(
    answers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 })),
    { timeoutMs: 60_000 },
  );
  if (CHAOS_MS > 0) expect(report).toMatchObject({ natsRestarts: 1, kills: expect.any(Number) });
  if (CHAOS_MS > 0) expect(report.kills).toBeGreaterThan(5);

  for (const [i, sid] of sessions.entries()) {
    const events = await allEvents(bus, sid);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, n) => n));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const uses = events.flatMap((e) => (e.type === "agent.tool_use" ? [e.id] : []));
    const results = events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
    expect(results.map((r) => r.tool_use_id).sort()).toEqual([...uses].sort());
    const errors = results.filter((r) => r.is_error).map((r) => JSON.stringify(r.content));
    const provisionErrors = events.flatMap((e) =>
      e.type === "span.sandbox_provision_end" && e.is_error ? [e.error_message] : [],
    );
    const counts = stepCounts(await bashInSession(bus, sid, "cat /workspace/count.log"), STEPS);
    expect(Math.max(...counts), `session ${i} ran a step twice: ${counts}`).toBeLessThanOrEqual(1);
    if (sid === report.sandboxKilled) {
      for (const error of errors) expect(error).toMatch(/sandbox was lost/);
      continue;
    }
    // A restart of any service is a delay, never a tool error, and every step ran exactly once.
    expect(errors, `session ${i}: ${provisionErrors.join("; ")}`).toEqual([]);
    expect(counts, `session ${i}`).toEqual(Array.from({ length: STEPS }, () => 1));
  }
}, 300_000);
