import { setTimeout as sleep } from "node:timers/promises";
import { request, subscribeStoredAll, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { startScriptedModel, startSystem, untilAnswers, waitFor } from "@corral/testing";
import { printRows } from "../lib/stats.js";

const SHORT = Number(process.env.BENCH_N ?? 200);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);

/** Sessions of one short turn each, all sent at once; returns sessions/s and how many did not end cleanly. */
async function burst(
  bus: Bus,
  agentId: string,
  environmentId: string,
  count: number,
): Promise<{ perSecond: number; failed: number }> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    ids.push(
      ...(await Promise.all(
        Array.from(
          { length: Math.min(50, count - i) },
          async () =>
            (await request(bus, STORE_RPC.sessionsCreate, { agent: agentId, environment_id: environmentId }))
              .id,
        ),
      )),
    );
  }
  const pending = new Set(ids);
  const failed = new Set<string>();
  const unsubscribe = subscribeStoredAll(bus, (sid, types) => {
    if (types.includes("session.error")) failed.add(sid);
    if (types.includes("session.status_idle") || types.includes("session.status_terminated"))
      pending.delete(sid);
  });
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(
      ids.slice(i, i + 100).map((sid) =>
        request(bus, STORE_RPC.eventsSend, {
          session_id: sid,
          events: [{ type: "user.message", content: [{ type: "text", text: "hi" }] }],
        }),
      ),
    );
  }
  await waitFor(() => pending.size === 0, { timeoutMs: 600_000, intervalMs: 20 });
  const seconds = (performance.now() - t0) / 1000;
  unsubscribe();
  return { perSecond: count / seconds, failed: failed.size };
}

async function main(): Promise<void> {
  const system = await startSystem("bench", { requestTimeoutMs: 30_000 });
  const bus = system.bus;
  const model = await startScriptedModel();
  model.setFallback({ type: "message", content: [{ type: "text", text: "short answer" }] });
  system.spawn("session-store", { LOG_LEVEL: "warn" });
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "scale", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, { name: "scale" });
  const brain = () =>
    system.spawn("harness", {
      ANTHROPIC_API_KEY: "bench",
      ANTHROPIC_BASE_URL: model.url,
      HARNESS_CONCURRENCY: String(CONCURRENT),
      LOG_LEVEL: "warn",
    });
  brain();
  await sleep(3000);
  await burst(bus, agent.id, env.id, 20);
  const one = await burst(bus, agent.id, env.id, SHORT);
  brain();
  await sleep(3000);
  await burst(bus, agent.id, env.id, 20);
  const two = await burst(bus, agent.id, env.id, SHORT);
  const many = await burst(bus, agent.id, env.id, CONCURRENT);
  printRows(
    `scale (short one-turn sessions, zero-latency scripted model; every service in its own process)`,
    [
      {
        metric: `throughput, ${SHORT} sessions, 2 harness vs 1`,
        corral: two.perSecond,
        baseline: one.perSecond,
        unit: "sess/s",
        target: "(no target; 2 cores shared by all)",
        ok: () => true,
      },
      {
        metric: `${CONCURRENT} concurrent sessions (2 harness): sessions/s`,
        corral: many.perSecond,
        baseline: one.perSecond,
        unit: "sess/s",
        target: "all complete",
        ok: () => true,
      },
      {
        metric: `${CONCURRENT} concurrent sessions: session.error count`,
        corral: many.failed + one.failed + two.failed,
        baseline: 1,
        unit: "errors",
        target: "0 errors",
        ok: () => many.failed + one.failed + two.failed === 0,
      },
    ],
  );
  await system.stop();
  await model.close();
}

await main();
