import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectBus, request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, type SessionId } from "@corral/protocol";
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
  worstGapMs,
  type NatsServer,
  busConfigFor,
} from "@corral/testing";
import { allEvents, newSession, say } from "@corral/harness/testing";
import { RUN_LABEL, bashInSession, docker, removeTestContainers } from "@corral/sandbox-manager/testing";
import { percentile, printRows } from "../lib/stats.js";

/**
 * `bench/chaos`: LANES sessions at a time, each lane starting a new session when its last one finished,
 * for MINUTES while every service is SIGKILLed at random (and started again), nats-server restarted and
 * sandboxes killed; then the same load without chaos as the baseline. Prints completed / stranded /
 * doubled effects / restart-caused tool errors, and the worst and p95 stall per session against the baseline.
 */
const LANES = Number(process.env.BENCH_CHAOS_SESSIONS ?? 200);
const MINUTES = Number(process.env.BENCH_CHAOS_MINUTES ?? 10);
const STEPS = 4;

interface Outcome {
  started: number;
  completed: number;
  stranded: number;
  doubled: number;
  restartErrors: number;
  stalls: number[];
}

/** One lane: sessions one after another until `stopAt`; each is judged once it finished (or given up on). */
async function lane(bus: Bus, stopAt: number, killed: Set<string>, out: Outcome): Promise<void> {
  while (Date.now() < stopAt) {
    const token = `token-${randomBytes(4).toString("hex")}`;
    const sid = await newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] }).catch(() => null);
    if (!sid) {
      await sleep(250);
      continue;
    }
    out.started++;
    // Sent again until stored, under one idempotency key: a retry never adds a second message.
    const req = {
      session_id: sid,
      events: [say(`count the steps, then say ${token}`)],
      idempotency_key: token,
    };
    const sent = () =>
      request(bus, STORE_RPC.eventsSend, req).then(
        () => true,
        () => false,
      );
    await waitFor(sent, { timeoutMs: 60_000 });
    const finished = await waitFor(async () => answeredWith(await allEvents(bus, sid), token), {
      timeoutMs: 180_000,
      intervalMs: 500,
    }).then(
      () => true,
      () => false,
    );
    if (!finished) {
      out.stranded++;
      continue;
    }
    await judge(bus, sid, killed, out);
  }
}

async function judge(bus: Bus, sid: SessionId, killed: Set<string>, out: Outcome): Promise<void> {
  out.completed++;
  // The services are still being killed: a read is asked again until it is answered.
  const events = await waitFor(() => allEvents(bus, sid).catch(() => null), {
    timeoutMs: 120_000,
    intervalMs: 250,
  });
  out.stalls.push(worstGapMs(events));
  const counts = stepCounts(await bashInSession(bus, sid, "cat /workspace/count.log").catch(() => ""), STEPS);
  if (Math.max(...counts) > 1) out.doubled++;
  const errors = events.filter((e) => e.type === "agent.tool_result" && e.is_error);
  if (errors.length > 0 && !killed.has(sid)) out.restartErrors++;
}

async function killSandbox(bus: Bus, killed: Set<string>): Promise<string | null> {
  const { data } = await request(bus, SANDBOX_RPC.list, {}).catch(() => ({ data: [] }));
  const victim = data.find((s) => s.status === "ready");
  if (!victim) return null;
  killed.add(victim.session_id);
  await docker
    .getContainer(victim.container_id)
    .kill()
    .catch(() => undefined);
  return victim.session_id;
}

async function runLoad(
  nats: NatsServer,
  modelUrl: string,
  minutes: number,
  chaos: boolean,
): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), "corral-bench-chaos-"));
  const services = superviseStack({
    natsUrl: nats.url,
    modelUrl,
    stateDir: join(dir, "manager"),
    sandboxLabels: RUN_LABEL,
    egressPort: await freePort(),
    masterKey: randomBytes(32).toString("base64"),
    warmPool: 8,
  });
  const bus = await connectBus(busConfigFor(nats.url, "admin", "bench-chaos"));
  await waitFor(
    () =>
      request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 }).then(
        () => true,
        () => false,
      ),
    {
      timeoutMs: 60_000,
    },
  );
  const out: Outcome = { started: 0, completed: 0, stranded: 0, doubled: 0, restartErrors: 0, stalls: [] };
  const killed = new Set<string>();
  const stopAt = Date.now() + minutes * 60_000;
  try {
    const lanes = Promise.all(Array.from({ length: LANES }, () => lane(bus, stopAt, killed, out)));
    if (chaos) {
      const options = {
        everyMs: [1500, 4000] as [number, number],
        downMs: [200, 1500] as [number, number],
        natsRestartAfterMs: (minutes * 60_000) / 2,
        sandboxKill: { afterMs: 10_000, kill: () => killSandbox(bus, killed) },
      };
      await runChaos(services, nats, options, () => Date.now() > stopAt, minutes * 60_000);
    }
    await lanes;
  } finally {
    // Whatever happened, nothing of this run is left running.
    await bus.close();
    await Promise.all(services.map((s) => s.stop()));
    await removeTestContainers();
    await rm(dir, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const model = await startScriptedModel();
  model.setFallback(stepProgram(STEPS, [1000, 2000]));
  const nats = await startNatsServer();
  const chaotic = await runLoad(nats, model.url, MINUTES, true);
  await nats.stop();
  const quiet = await startNatsServer();
  const baseline = await runLoad(quiet, model.url, Math.max(1, MINUTES / 5), false);
  await quiet.stop();
  await model.close();
  process.stdout.write(
    `\nbench/chaos: ${LANES} sessions at a time for ${MINUTES} min under chaos; baseline ${Math.max(1, MINUTES / 5)} min without\n` +
      `chaos:    started ${chaotic.started}, completed ${chaotic.completed}, stranded ${chaotic.stranded}, ` +
      `doubled effects ${chaotic.doubled}, restart-caused tool errors ${chaotic.restartErrors}\n` +
      `baseline: started ${baseline.started}, completed ${baseline.completed}, stranded ${baseline.stranded}\n`,
  );
  const ok = (r: number) => Number.isFinite(r);
  printRows("worst quiet gap in a session's log (stall)", [
    {
      metric: "stall p50",
      corral: percentile(chaotic.stalls, 50),
      baseline: percentile(baseline.stalls, 50),
      unit: "ms",
      target: "reported",
      ok,
    },
    {
      metric: "stall p95",
      corral: percentile(chaotic.stalls, 95),
      baseline: percentile(baseline.stalls, 95),
      unit: "ms",
      target: "reported",
      ok,
    },
    {
      metric: "stall worst",
      corral: Math.max(...chaotic.stalls),
      baseline: Math.max(...baseline.stalls),
      unit: "ms",
      target: "reported (see README)",
      ok,
    },
  ]);
  await sleep(100);
}

await main();
process.exit(0);
