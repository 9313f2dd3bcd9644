import { setTimeout as sleep } from "node:timers/promises";
import { openSessionLog, request, tailEvents } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { startScriptedModel, startSystem, untilAnswers, waitFor, type ServiceProcess } from "@corral/testing";
import { newSession, say, send } from "@corral/harness/testing";
import { percentile, printRows } from "../lib/stats.js";

const TRIALS = Number(process.env.BENCH_N ?? 8);
const LEASE_TTL_MS = Number(process.env.HARNESS_LEASE_TTL_MS ?? 2000);

/**
 * SIGKILL the harness replica running a session while its model request is in flight, and time how long
 * until the session's next event, written by the other replica.
 */
async function main(): Promise<void> {
  const system = await startSystem("bench");
  const bus = system.bus;
  const model = await startScriptedModel();
  model.setFallback({ type: "message", latencyMs: 1500, content: [{ type: "text", text: "slow answer" }] });
  system.spawn("session-store", { LOG_LEVEL: "warn" });
  const brains = new Map<string, ServiceProcess>();
  let n = 0;
  const startBrain = () => {
    const name = `brain-${n++}`;
    brains.set(
      name,
      system.spawn("harness", {
        HARNESS_NAME: name,
        ANTHROPIC_API_KEY: "bench",
        ANTHROPIC_BASE_URL: model.url,
        HARNESS_LEASE_TTL_MS: String(LEASE_TTL_MS),
        LOG_LEVEL: "warn",
      }),
    );
  };
  startBrain();
  startBrain();
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));
  await sleep(3000);
  const log = await openSessionLog(bus);
  const gaps: number[] = [];
  for (let trial = 0; trial < TRIALS; trial++) {
    const sid = await newSession(bus);
    const requests = model.requests.length;
    await send(bus, sid, say(`trial ${trial}`));
    await waitFor(() => model.requests.length > requests, { timeoutMs: 30_000, intervalMs: 5 });
    const leases = await bus.kvm.open("corral_leases");
    const holder = (await waitFor(() => leases.get(sid))).json<{ holder: string }>().holder.split(":")[0]!;
    const head = (await log.head(sid))!.lastSeq;
    const killedAt = performance.now();
    await brains.get(holder)!.kill("SIGKILL");
    brains.delete(holder);
    startBrain();
    const controller = new AbortController();
    for await (const _event of tailEvents(log, sid, head + 1, controller.signal)) break;
    controller.abort();
    gaps.push(performance.now() - killedAt);
    await waitFor(
      async () => (await request(bus, STORE_RPC.sessionsGet, { session_id: sid })).status === "idle",
      { timeoutMs: 30_000 },
    );
  }
  printRows(
    `failover (${TRIALS} SIGKILLs of the replica running a session mid model request; lease TTL ${LEASE_TTL_MS} ms)`,
    [
      {
        metric: "SIGKILL → next event from another replica, p50",
        corral: percentile(gaps, 50),
        baseline: LEASE_TTL_MS + 1000,
        unit: "ms",
        target: "≤ lease TTL + 1 s (baseline column)",
        ok: (r) => r <= 1,
      },
      {
        metric: "SIGKILL → next event from another replica, p95",
        corral: percentile(gaps, 95),
        baseline: LEASE_TTL_MS + 1000,
        unit: "ms",
        target: "≤ lease TTL + 1 s (baseline column)",
        ok: (r) => r <= 1,
      },
    ],
  );
  await system.stop();
  await model.close();
}

await main();
