import { execFileSync } from "node:child_process";
import { STORE_RPC } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { freePort, startSystem, untilAnswers, untilHealthy } from "@corral/testing";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { percentile, printRows, timeEach } from "../lib/stats.js";
import { startBareServer, startFollowers } from "./child-processes.js";
import { measureFanOut, type FanOutRun } from "./measure-fan-out.js";

// The gateway's cost: events.send over HTTP next to the same send as a NATS request, and the delay from
// an append to each SSE follower at 200 and 1,000 followers, next to one NATS subscriber of the same log
// and to the same frames written by a bare node:http server to the same followers. Store, gateway, the
// bare server and the followers each run in their own process.
const SENDS = Number(process.env.BENCH_N ?? 2000);
const LEVELS = (process.env.BENCH_FOLLOWERS ?? "200,1000").split(",").map(Number);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 200);
/** The targets for append → SSE follower p50, by follower count. */
const P50_TARGET_MS: Record<number, number> = { 200: 5, 1000: 15 };

const say = (text: string) => ({ type: "user.message" as const, content: [{ type: "text" as const, text }] });

async function newSession(bus: Bus): Promise<string> {
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "bench", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `bench-${Date.now()}-${Math.random()}`,
  });
  return (await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: env.id })).id;
}

function printFanOut(count: number, run: FanOutRun): void {
  const target = P50_TARGET_MS[count];
  const sse50 = percentile(run.sse, 50);
  const rows = (p: number) => [
    {
      metric: `append → SSE p${p} vs NATS subscriber`,
      corral: percentile(run.sse, p),
      baseline: percentile(run.nats, p),
      unit: "ms",
      target: p === 50 && target ? `absolute p50 < ${target} ms` : "(no target)",
      ok: () => (p === 50 && target ? sse50 < target : true),
    },
    {
      metric: `append → SSE p${p} vs bare http fan-out`,
      corral: percentile(run.sse, p),
      baseline: percentile(run.bare, p),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
  ];
  printRows(
    `gateway: ${count} SSE followers (in their own process) × ${APPENDS} appends; ` +
      `samples: ${run.sse.length} SSE, ${run.nats.length} NATS, ${run.bare.length} bare`,
    [...rows(50), ...rows(95)],
  );
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const system = await startSystem("bench");
  const bus = system.bus;
  const port = await freePort();
  system.spawn("session-store", { LOG_LEVEL: "warn", CORRAL_TASK_INTAKE: "0" });
  system.spawn("gateway", { LOG_LEVEL: "warn", GATEWAY_PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));
  await untilHealthy(url);
  const { key } = await createApiKey(await openKeyBucket(bus), "bench");
  const headers = { "x-api-key": key, "content-type": "application/json" };

  // events.send: HTTP through the gateway vs. the same RPC over NATS, alternating sessions so neither
  // path benefits from the other's warm cache.
  const [httpSession, natsSession] = [await newSession(bus), await newSession(bus)];
  const viaHttp = (i: number) =>
    fetch(`${url}/v1/sessions/${httpSession}/events`, {
      method: "POST",
      headers,
      body: JSON.stringify({ events: [say(`message ${i}`)] }),
    }).then((r) => r.arrayBuffer());
  const viaNats = (i: number) =>
    request(bus, STORE_RPC.eventsSend, { session_id: natsSession, events: [say(`message ${i}`)] });
  await timeEach(300, viaHttp);
  await timeEach(300, viaNats);
  const http: number[] = [];
  const nats: number[] = [];
  for (let i = 0; i < SENDS; i++) {
    const t0 = performance.now();
    await viaHttp(i);
    const t1 = performance.now();
    await viaNats(i);
    http.push(t1 - t0);
    nats.push(performance.now() - t1);
  }

  const followers = startFollowers();
  const bare = await startBareServer();
  const levels: { count: number; run: FanOutRun }[] = [];
  for (const count of LEVELS) {
    const deps = { bus, url, key, followers, bare, newSession: () => newSession(bus) };
    levels.push({ count, run: await measureFanOut(deps, count, APPENDS) });
  }
  followers.stop();
  bare.stop();

  printRows(`gateway: events.send (${SENDS} sends; store and gateway in their own processes)`, [
    {
      metric: "events.send p50: HTTP vs NATS request",
      corral: percentile(http, 50),
      baseline: percentile(nats, 50),
      unit: "ms",
      target: "ratio ≤ 2",
      ok: (r) => r <= 2,
    },
    {
      metric: "events.send p95: HTTP vs NATS request",
      corral: percentile(http, 95),
      baseline: percentile(nats, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
  ]);
  for (const { count, run } of levels) printFanOut(count, run);

  await system.stop();
}

await main();
