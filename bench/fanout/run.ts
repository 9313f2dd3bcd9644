import { setTimeout as sleep } from "node:timers/promises";
import { connectBus, request, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import {
  requestBlocks,
  spawnService,
  startNatsServer,
  startScriptedModel,
  systemText,
  toolResultsIn,
  waitFor,
  type ReceivedRequest,
  type ScriptedReply,
  type ServiceProcess,
  busConfigFor,
} from "@corral/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { printRows, type Row } from "../lib/stats.js";

const LATENCY_MS = Number(process.env.BENCH_MODEL_LATENCY_MS ?? 200);
/** Model calls per sub-task (each but the last runs a trivial bash tool call). */
const STEPS = Number(process.env.BENCH_STEPS ?? 16);
/** Sessions one harness replica runs at once; low, so that replicas matter. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 2);
const SUB_AGENTS = [1, 2, 4, 8];
const REPLICAS = [1, 2, 4];

const toolResults = (req: ReceivedRequest) => toolResultsIn(req).length;
const replies = (req: ReceivedRequest) =>
  requestBlocks(req).filter((b) => b.type === "text" && String(b.text).startsWith("Reply from thread"))
    .length;

/** The coordinator's fan-out width for the run in progress. */
let width = 1;

function program(req: ReceivedRequest): ScriptedReply {
  const say = (text: string): ScriptedReply => ({
    type: "message",
    latencyMs: LATENCY_MS,
    content: [{ type: "text", text }],
  });
  if (systemText(req) === "worker") {
    if (toolResults(req) < STEPS - 1)
      return {
        type: "message",
        latencyMs: LATENCY_MS,
        content: [{ type: "tool_use", name: "bash", input: { command: "true" } }],
      };
    return say("sub-task done");
  }
  if (toolResults(req) === 0) {
    return {
      type: "message",
      latencyMs: LATENCY_MS,
      content: Array.from({ length: width }, (_, i) => ({
        type: "tool_use" as const,
        name: "start_thread",
        input: { agent: "worker", task: `part ${i}`, sandbox: "fresh" },
      })),
    };
  }
  return say(replies(req) < width ? "waiting" : "all parts done");
}

async function runToIdle(bus: Bus, agentId: string, environmentId: string, text: string): Promise<number> {
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agentId,
    environment_id: environmentId,
  });
  const t0 = performance.now();
  await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [{ type: "user.message", content: [{ type: "text", text }] }],
  });
  await waitFor(
    async () => {
      const record = await request(bus, STORE_RPC.sessionsGet, { session_id: session.id });
      return record.status === "idle" && record.stop_reason?.type === "end_turn";
    },
    { timeoutMs: 300_000, intervalMs: 10 },
  );
  return performance.now() - t0;
}

/**
 * A coordinator fans N sub-tasks out to N sub-agent threads (fresh sandboxes, a scripted model with a
 * fixed latency per call), against the same N sub-tasks run one after another as plain sessions, in the
 * same run, with 1, 2 and 4 harness replicas of `CONCURRENCY` sessions each.
 */
async function main(): Promise<void> {
  const nats = await startNatsServer();
  const model = await startScriptedModel();
  model.setFallback(program);
  const store = spawnService("session-store", { NATS_URL: nats.url, LOG_LEVEL: "warn" });
  // Enough warm containers for the widest fan-out: each thread gets a fresh sandbox.
  const hands = await startManager(nats.url, { warmPool: 10 });
  const bus = await connectBus(busConfigFor(nats.url, "admin", "bench"));
  await waitFor(
    () => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }).then(() => true),
    { timeoutMs: 30_000 },
  );
  const tools = [{ type: "agent_toolset_20260401" as const }];
  const worker = await request(bus, STORE_RPC.agentsCreate, {
    name: "worker",
    model: "m",
    system: "worker",
    tools,
  });
  const coordinator = await request(bus, STORE_RPC.agentsCreate, {
    name: "lead",
    model: "m",
    system: "coordinator",
    tools,
    multiagent: { type: "coordinator", agents: [worker.id] },
  });
  const environment = await request(bus, STORE_RPC.environmentsCreate, { name: "fanout-bench" });

  const rows: Row[] = [];
  for (const replicas of REPLICAS) {
    const brains: ServiceProcess[] = Array.from({ length: replicas }, (_, i) =>
      spawnService("harness", {
        NATS_URL: nats.url,
        HARNESS_NAME: `brain-${i}`,
        HARNESS_CONCURRENCY: String(CONCURRENCY),
        ANTHROPIC_API_KEY: "bench",
        ANTHROPIC_BASE_URL: model.url,
        LOG_LEVEL: "warn",
      }),
    );
    await sleep(3000);
    await runToIdle(bus, worker.id, environment.id, "warm-up");
    for (const n of SUB_AGENTS) {
      let sequential = 0;
      for (let i = 0; i < n; i++) sequential += await runToIdle(bus, worker.id, environment.id, `part ${i}`);
      width = n;
      await sleep(2000); // let the warm pool refill after the baseline's sessions took from it
      const parallel = await runToIdle(bus, coordinator.id, environment.id, "fan out");
      const ideal = Math.min(n, replicas * CONCURRENCY);
      // corral/baseline is 1/speed-up; the target is a speed-up of at least 80% of the ideal.
      rows.push({
        metric: `${n} sub-agents, ${replicas} replica(s) (ideal ×${ideal})`,
        corral: parallel,
        baseline: sequential,
        unit: "ms",
        target: `speed-up ≥ ${(0.8 * ideal).toFixed(1)}`,
        ok: (ratio) => 1 / ratio >= 0.8 * ideal,
      });
      process.stdout.write(
        `  ${n} sub-agents on ${replicas} replica(s): parallel ${parallel.toFixed(0)} ms, one after another ${sequential.toFixed(0)} ms, speed-up ×${(sequential / parallel).toFixed(2)} of ideal ×${ideal}\n`,
      );
    }
    await Promise.all(brains.map((b) => b.kill("SIGTERM")));
  }
  printRows(
    `fanout (coordinator + N sub-agents, each ${STEPS} model calls of ${LATENCY_MS} ms with a bash tool call between; ${CONCURRENCY} sessions per replica; baseline: the same sub-tasks one after another; ratio = 1/speed-up)`,
    rows,
  );
  await bus.close();
  await hands.close();
  await store.kill("SIGTERM");
  await model.close();
  await removeTestContainers();
  await nats.stop();
}

await main();
