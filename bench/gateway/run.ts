import { Worker } from "node:worker_threads";
import { STORE_RPC } from "@corral/protocol";
import { openSessionLog, request, tailEvents, type Bus } from "@corral/bus";
import { freePort, startSystem, untilAnswers, untilHealthy, waitFor } from "@corral/testing";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { percentile, printRows, timeEach } from "../lib/stats.js";

// The gateway's cost: events.send over HTTP next to the same send as a NATS request, and the delay from
// an append to SSE followers next to a follower reading the log over NATS. Store and gateway run in
// their own processes; the SSE followers run in worker threads of this one (BENCH_FOLLOWER_THREADS).
const SENDS = Number(process.env.BENCH_N ?? 2000);
const FOLLOWERS = Number(process.env.BENCH_FOLLOWERS ?? 200);
const APPENDS = Number(process.env.BENCH_APPENDS ?? 200);
const WORKERS = Number(process.env.BENCH_FOLLOWER_THREADS ?? 4);

const say = (text: string) => ({ type: "user.message" as const, content: [{ type: "text" as const, text }] });

async function newSession(bus: Bus): Promise<string> {
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "bench", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `bench-${Date.now()}-${Math.random()}`,
  });
  return (await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: env.id })).id;
}

async function main(): Promise<void> {
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

  // Append → follower: FOLLOWERS SSE connections and one NATS log follower on the same session.
  const sid = await newSession(bus);
  const sentAt = new Map<number, number>();
  const sseDelays: number[] = [];
  const natsDelays: number[] = [];
  const controller = new AbortController();
  const now = () => performance.timeOrigin + performance.now();
  // Followers count the frames they receive in shared memory: the main thread waits on it per append.
  const counter = new Int32Array(new SharedArrayBuffer(4));
  const received = () => Atomics.load(counter, 0);
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const count = Math.floor(FOLLOWERS / WORKERS) + (w < FOLLOWERS % WORKERS ? 1 : 0);
    // Workers on Node 20 do not inherit `--import tsx`: register it, then load the TypeScript module.
    const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL("./followers.ts", import.meta.url).href)}); })`;
    return new Worker(boot, { eval: true, workerData: { url, key, sid, count, counter } });
  });
  await Promise.all(workers.map((worker) => new Promise((ready) => worker.once("message", ready))));
  const log = await openSessionLog(bus);
  const direct = (async () => {
    try {
      for await (const event of tailEvents(log, sid, 0, controller.signal)) {
        const t0 = sentAt.get(event.seq);
        if (t0 !== undefined) natsDelays.push(now() - t0);
      }
    } catch {
      // aborted at the end
    }
  })();
  await new Promise((r) => setTimeout(r, 500));
  for (let i = 0; i < APPENDS; i++) {
    const before = received();
    // A fresh session with one writer: the i-th append gets position i, so its start time is known
    // before any follower can receive it.
    sentAt.set(i, now());
    const [event] = (
      await request(bus, STORE_RPC.eventsAppend, { session_id: sid, events: [say(`append ${i}`)] })
    ).events;
    if (event?.seq !== i) throw new Error(`append ${i} got position ${event?.seq}`);
    await waitFor(() => received() >= before + FOLLOWERS, { timeoutMs: 10_000, intervalMs: 1 });
    await new Promise((r) => setTimeout(r, 5));
  }
  controller.abort();
  await direct;
  const reports = workers.map(
    (worker) =>
      new Promise<{ arrivals: { seq: number; at: number }[] }>((done) => worker.once("message", done)),
  );
  for (const worker of workers) worker.postMessage("stop");
  for (const { arrivals } of await Promise.all(reports)) {
    for (const { seq, at } of arrivals) {
      const t0 = sentAt.get(seq);
      if (t0 !== undefined) sseDelays.push(at - t0);
    }
  }
  await Promise.all(workers.map((worker) => worker.terminate()));

  printRows(
    `gateway (${SENDS} sends; ${FOLLOWERS} SSE followers × ${APPENDS} appends; store and gateway in their own processes)`,
    [
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
      {
        metric: `append → SSE follower p50 (${FOLLOWERS}) vs NATS`,
        corral: percentile(sseDelays, 50),
        baseline: percentile(natsDelays, 50),
        unit: "ms",
        target: "absolute p50 < 5 ms",
        ok: () => percentile(sseDelays, 50) < 5,
      },
      {
        metric: `append → SSE follower p95 (${FOLLOWERS}) vs NATS`,
        corral: percentile(sseDelays, 95),
        baseline: percentile(natsDelays, 95),
        unit: "ms",
        target: "(no target)",
        ok: () => true,
      },
    ],
  );
  process.stdout.write(`samples: ${sseDelays.length} SSE deliveries, ${natsDelays.length} NATS deliveries\n`);

  await system.stop();
}

await main();
