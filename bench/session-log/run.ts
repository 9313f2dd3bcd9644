import { STORE_RPC, STREAMS, type SessionEventInput } from "@corral/protocol";
import { connectBus, createLogWriter, ensureStreams, openSessionLog, request, type Bus } from "@corral/bus";
import { spawnService, startNatsServer, waitFor, busConfigFor } from "@corral/testing";
import { percentile, printRows, throughput, timeEach } from "../lib/stats.js";

const N = Number(process.env.BENCH_N ?? 20_000);
const message = (i: number): SessionEventInput => ({
  type: "agent.message",
  content: [{ type: "text", text: `event number ${i} with a little text` }],
});
const payload = (i: number) =>
  JSON.stringify({
    events: [{ ...message(i), id: "sevt_x", seq: i, processed_at: new Date().toISOString() }],
  });

async function newSessions(bus: Bus, count: number): Promise<string[]> {
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "bench", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `bench-${Date.now()}-${Math.random()}`,
  });
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push((await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: env.id })).id);
  return ids;
}

async function main(): Promise<void> {
  const server = await startNatsServer();
  const store = spawnService("session-store", { NATS_URL: server.url, LOG_LEVEL: "warn" });
  const bus = await connectBus(busConfigFor(server.url, "admin", "bench"));
  await ensureStreams(bus);
  await waitFor(
    () => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }).then(() => true),
    { timeoutMs: 30_000 },
  );
  const sessions = await newSessions(bus, 100);
  const raw = (i: number) => `corral.log.bench_raw_${i % 100}`;

  const writer = createLogWriter({ bus, log: await openSessionLog(bus) });
  const direct = (i: number) => writer.append({ sessionId: sessions[i % 100]!, events: [message(i)] });
  // Warm both paths so JIT and connections are settled before measuring.
  await throughput(2000, 64, (i) => bus.js.publish(raw(i), payload(i)));
  await throughput(2000, 64, (i) =>
    request(bus, STORE_RPC.eventsAppend, { session_id: sessions[i % 100]!, events: [message(i)] }),
  );
  await throughput(2000, 64, direct);

  const rawAsync = await throughput(N, 256, (i) => bus.js.publish(raw(i), payload(i)));
  const appendDirect = await throughput(N, 256, direct);
  const appendRpc = await throughput(N, 256, (i) =>
    request(bus, STORE_RPC.eventsAppend, { session_id: sessions[i % 100]!, events: [message(i)] }),
  );
  const batch = Array.from({ length: 50 }, (_, i) => message(i));
  const batched =
    (await throughput(N / 50, 64, (i) =>
      request(bus, STORE_RPC.eventsAppend, { session_id: sessions[i % 100]!, events: batch }),
    )) * 50;

  const rawSync = await timeEach(2000, (i) => bus.js.publish(raw(i), payload(i)));
  const single = await timeEach(2000, (i) =>
    writer.append({ sessionId: sessions[0]!, events: [message(i)] }),
  );
  const singleRpc = await timeEach(2000, (i) =>
    request(bus, STORE_RPC.eventsAppend, { session_id: sessions[1]!, events: [message(i)] }),
  );

  const [big] = await newSessions(bus, 1);
  const big500 = Array.from({ length: 500 }, (_, i) => message(i));
  for (let i = 0; i < 200; i += 8) {
    await Promise.all(
      Array.from({ length: 8 }, (_, j) =>
        request(bus, STORE_RPC.eventsAppend, {
          session_id: big!,
          events: big500,
          idempotency_key: `b${i + j}`,
        }),
      ),
    );
  }
  const listAt = (from: number) =>
    timeEach(300, () => request(bus, STORE_RPC.eventsList, { session_id: big!, from, limit: 100 }));
  await listAt(0);
  const list0 = await listAt(0);
  const list100k = await listAt(99_800);
  const first = await bus.jsm.direct.getMessage(STREAMS.sessions, { last_by_subj: `corral.log.${big}` });
  const directGet = await timeEach(300, () =>
    bus.jsm.direct.getMessage(STREAMS.sessions, { seq: first!.seq }),
  );

  printRows(`session log (N=${N}, one nats-server, session-store in its own process)`, [
    {
      metric: "append throughput, 100 sessions, single events",
      corral: appendDirect,
      baseline: rawAsync,
      unit: "ev/s",
      target: "ratio ≥ 0.50 of raw async publish",
      ok: (r) => r >= 0.5,
    },
    {
      metric: "  same through the events.append RPC",
      corral: appendRpc,
      baseline: rawAsync,
      unit: "ev/s",
      target: "(no target; one extra hop)",
      ok: () => true,
    },
    {
      metric: "append throughput, batches of 50",
      corral: batched,
      baseline: rawAsync,
      unit: "ev/s",
      target: "(no target; batching)",
      ok: () => true,
    },
    {
      metric: "single append latency p50",
      corral: percentile(single, 50),
      baseline: percentile(rawSync, 50),
      unit: "ms",
      target: "ratio ≤ 3 of raw sync publish",
      ok: (r) => r <= 3,
    },
    {
      metric: "single append latency p95",
      corral: percentile(single, 95),
      baseline: percentile(rawSync, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
    {
      metric: "  single append p50 through the RPC",
      corral: percentile(singleRpc, 50),
      baseline: percentile(rawSync, 50),
      unit: "ms",
      target: "(no target; one extra hop)",
      ok: () => true,
    },
    {
      metric: "events.list 100 at position 0, p50",
      corral: percentile(list0, 50),
      baseline: percentile(directGet, 50),
      unit: "ms",
      target: "(baseline: one direct get)",
      ok: () => true,
    },
    {
      metric: "events.list 100 at position 99,800, p50",
      corral: percentile(list100k, 50),
      baseline: percentile(list0, 50),
      unit: "ms",
      target: "ratio ≤ 2 of the slice at 0",
      ok: (r) => r <= 2,
    },
  ]);

  await bus.close();
  await store.kill("SIGTERM");
  await server.stop();
}

await main();
