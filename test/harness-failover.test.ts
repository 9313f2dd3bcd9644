import { afterAll, beforeAll, expect, test } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, type SessionEvent } from "@corral/protocol";
import {
  startScriptedModel,
  startSystem,
  toolResultsIn,
  waitFor,
  type TestSystem,
  type ReceivedRequest,
  type ScriptedModel,
  type ServiceProcess,
} from "@corral/testing";
import { startStore, type StoreHarness } from "@corral/session-store/testing";
import { brainPool, newSession, say, send, type BrainPool } from "@corral/harness/testing";
import { removeTestContainers, runTool, startManager } from "@corral/sandbox-manager/testing";

const STEPS = 5;
const SESSIONS = 6;

let system: TestSystem;
let model: ScriptedModel;
let store: StoreHarness;
let hands: Awaited<ReturnType<typeof startManager>>;
let bus: Bus;
let brains: BrainPool;

const toolResults = (req: ReceivedRequest) => toolResultsIn(req).length;

/** A deterministic agent: append step k to a file, STEPS times, then say it is done. */
function agentProgram(req: ReceivedRequest) {
  const k = toolResults(req);
  if (k < STEPS)
    return {
      type: "message" as const,
      latencyMs: 100,
      chunkDelayMs: 20,
      content: [
        {
          type: "tool_use" as const,
          name: "bash",
          input: { command: `echo step-${k} >> /workspace/count.log; sleep 0.2` },
        },
      ],
    };
  return {
    type: "message" as const,
    latencyMs: 100,
    content: [{ type: "text" as const, text: "all steps done" }],
  };
}

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
  model = await startScriptedModel();
  model.setFallback(agentProgram);
  store = await startStore(system.nats.url, { taskIntake: false });
  hands = await startManager(system.nats.url, { warmPool: 2 });
  brains = brainPool(bus, system.nats.url, model.url);
});

afterAll(async () => {
  await brains.killAll();
  await hands.close();
  await store.close();
  await model.close();
  await removeTestContainers();
  await system.stop();
});

async function allEvents(sessionId: string): Promise<SessionEvent[]> {
  return (await request(bus, STORE_RPC.eventsList, { session_id: sessionId, limit: 1000 })).data;
}

async function countLog(sessionId: string): Promise<string> {
  const sandbox = (await request(bus, SANDBOX_RPC.list, { session_id: sessionId })).data.find(
    (s) => s.status === "ready",
  )!;
  return (await runTool(bus, sandbox, "bash", { command: "cat /workspace/count.log" })).content;
}

test("harness replicas SIGKILLed again and again mid-run: every session completes, nothing lost, no tool effect twice", async () => {
  brains.start();
  brains.start();
  const sessions = await Promise.all(
    Array.from({ length: SESSIONS }, () => newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] })),
  );
  for (const sid of sessions) await send(bus, sid, say("count the steps"));

  const done = async () => {
    const records = await Promise.all(sessions.map((sid) => allEvents(sid)));
    return records.every(
      (events) =>
        events.some((e) => e.type === "agent.message" && JSON.stringify(e).includes("all steps done")) &&
        events.at(-1)?.type === "session.status_idle",
    );
  };
  // Kill whichever replica holds a running session, at random moments: mid-stream, mid-tool, between appends.
  let kills = 0;
  while (!(await done()) && kills < 10) {
    await sleep(150 + Math.floor(Math.random() * 400));
    const victims = (await Promise.all(sessions.map((sid) => brains.holderOf(sid)))).filter(
      (b): b is ServiceProcess => b !== null,
    );
    const victim = victims[Math.floor(Math.random() * victims.length)];
    if (!victim) continue;
    await victim.kill("SIGKILL");
    kills++;
    brains.start();
  }
  await waitFor(done, { timeoutMs: 90_000, intervalMs: 250 });
  expect(kills).toBeGreaterThan(3);

  let takeovers = 0;
  for (const sid of sessions) {
    const events = await allEvents(sid);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    const uses = events.filter((e) => e.type === "agent.tool_use").map((e) => e.id);
    const results = events
      .filter((e) => e.type === "agent.tool_result")
      .map((e) => (e.type === "agent.tool_result" ? e.tool_use_id : ""));
    expect(results.sort()).toEqual([...uses].sort());
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    takeovers += events.filter((e) => e.type === "session.status_rescheduled").length;
    const log = await countLog(sid);
    expect(log).toContain(Array.from({ length: STEPS }, (_, k) => `step-${k}`).join("\n"));
    for (let k = 0; k < STEPS; k++) expect(log.split(`step-${k}\n`).length - 1).toBe(1);
  }
  expect(takeovers).toBeGreaterThan(0);
}, 150_000);
