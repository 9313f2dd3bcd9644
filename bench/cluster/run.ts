import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { connectBus, request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, type SessionId } from "@corral/protocol";
import {
  answeredWith,
  busConfigFor,
  freePort,
  startNatsCluster,
  startNatsServer,
  startScriptedModel,
  stepProgram,
  superviseStack,
  waitFor,
  worstGapMs,
  type NatsServer,
  type ScriptedModel,
} from "@corral/testing";
import { allEvents, newSession, say, send } from "@corral/harness/testing";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";
import { percentile, printRows } from "../lib/stats.js";

/**
 * `bench/cluster`: the same batch of multi-tool sessions on one nats-server and on a 3-node cluster at R3
 * (every service twice, permissions on), in the same process: throughput and time to the model's first
 * request; then a batch on the cluster while one node is SIGKILLed and restarted, for the stall a node
 * loss causes per session (worst quiet gap in its log) against the same batch without the loss.
 */
const SESSIONS = Number(process.env.BENCH_CLUSTER_SESSIONS ?? 30);
const STEPS = 3;

interface Batch {
  perSecond: number;
  firstRequestMs: number[];
  gapsMs: number[];
  unfinished: number;
}

async function runBatch(bus: Bus, model: ScriptedModel, during?: () => Promise<void>): Promise<Batch> {
  const tokens = Array.from({ length: SESSIONS }, () => `token-${randomBytes(4).toString("hex")}`);
  const sessions: SessionId[] = [];
  for (const _ of tokens)
    sessions.push(await newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] }));
  const sent = new Map<string, number>();
  const t0 = performance.now();
  await Promise.all(
    sessions.map(async (sid, i) => {
      sent.set(tokens[i]!, performance.now());
      await send(bus, sid, say(`count the steps, then say ${tokens[i]}`));
    }),
  );
  const disruption = during?.();
  const finished = async (i: number) =>
    answeredWith(await allEvents(bus, sessions[i]!).catch(() => []), tokens[i]!);
  const done = new Set<number>();
  await waitFor(
    async () => {
      await Promise.all(
        sessions.map(async (_, i) => (done.has(i) || !(await finished(i)) ? 0 : done.add(i))),
      );
      return done.size === SESSIONS;
    },
    { timeoutMs: 300_000, intervalMs: 500 },
  ).catch(() => undefined);
  const seconds = (performance.now() - t0) / 1000;
  await disruption;
  const firstRequestMs = tokens.flatMap((token) => {
    const arrived = model.requests.find((r) => JSON.stringify(r.body).includes(token))?.receivedAt;
    return arrived === undefined ? [] : [arrived - sent.get(token)!];
  });
  const gapsMs = await Promise.all(sessions.map(async (sid) => worstGapMs(await allEvents(bus, sid))));
  return { perSecond: done.size / seconds, firstRequestMs, gapsMs, unfinished: SESSIONS - done.size };
}

async function withStack<T>(
  nats: NatsServer,
  replicas: number,
  fn: (bus: Bus, model: ScriptedModel) => Promise<T>,
) {
  const dir = await mkdtemp(join(tmpdir(), "corral-bench-cluster-"));
  const model = await startScriptedModel();
  model.setFallback(stepProgram(STEPS, [300, 600]));
  const services = superviseStack({
    natsUrl: nats.url,
    modelUrl: model.url,
    stateDir: join(dir, "manager"),
    sandboxLabels: RUN_LABEL,
    egressPort: await freePort(),
    masterKey: randomBytes(32).toString("base64"),
    streamReplicas: replicas,
  });
  const bus = await connectBus({
    ...busConfigFor(nats.url, "admin", "bench-cluster"),
    requestTimeoutMs: 15_000,
  });
  try {
    await waitFor(
      () =>
        request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 }).then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 90_000,
      },
    );
    await waitFor(
      () =>
        request(bus, STORE_RPC.sessionsList, {}, { timeoutMs: 1000 }).then(
          () => true,
          () => false,
        ),
      {
        timeoutMs: 90_000,
      },
    );
    return await fn(bus, model);
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    await bus.close();
    await model.close();
    await removeTestContainers();
    await rm(dir, { recursive: true, force: true });
  }
}

const single = await startNatsServer({ auth: true });
const one = await withStack(single, 1, (bus, model) => runBatch(bus, model));
await single.stop();

const cluster = await startNatsCluster(3);
const [three, lost] = await withStack(cluster, 3, async (bus, model) => {
  const quiet = await runBatch(bus, model);
  const withLoss = await runBatch(bus, model, async () => {
    await sleep(3000);
    await cluster.restart(undefined, 3000);
  });
  return [quiet, withLoss] as const;
});
await cluster.stop();

const row = (
  metric: string,
  corral: number,
  baseline: number,
  unit: string,
  target = "",
  ok = (_: number) => true,
) => ({
  metric,
  corral,
  baseline,
  unit,
  target,
  ok,
});
printRows("bench/cluster: 3-node cluster at R3 vs one nats-server (same run, same load)", [
  row("sessions per second", three.perSecond, one.perSecond, "/s", "ratio ≥ 0.8", (r) => r >= 0.8),
  row(
    "first model request, p50",
    percentile(three.firstRequestMs, 50),
    percentile(one.firstRequestMs, 50),
    "ms",
  ),
  row(
    "first model request, p95",
    percentile(three.firstRequestMs, 95),
    percentile(one.firstRequestMs, 95),
    "ms",
  ),
]);
const worst = (gaps: number[]) => Math.max(...gaps);
printRows("bench/cluster: a node SIGKILLed for 3 s mid-batch vs the same batch without", [
  row("worst gap per session, p50", percentile(lost.gapsMs, 50), percentile(three.gapsMs, 50), "ms"),
  row("worst gap per session, p95", percentile(lost.gapsMs, 95), percentile(three.gapsMs, 95), "ms"),
  row("worst gap per session, max", worst(lost.gapsMs), worst(three.gapsMs), "ms", "≤ election + 2 s"),
]);
process.stdout.write(
  `unfinished sessions: cluster with a node lost ${lost.unfinished}, cluster ${three.unfinished}, one server ${one.unfinished}\n`,
);
