import { execFileSync } from "node:child_process";
import { request, type Bus } from "@corral/bus";
import { MEMORY_RPC, type MemoryStoreId } from "@corral/protocol";
import { startSystem, untilAnswers } from "@corral/testing";
import { percentile, printRows, throughput, timeEach } from "../lib/stats.js";

// Memory writes through the session-store's RPCs (two compiled replicas, one nats-server): WRITERS
// concurrent writers on ONE store (each write serialized by the store's version log: a slot created once,
// then the index compare-and-set) next to the same writers each on a store of its own (no contention),
// in the same run; and one write's latency on a store of FULL memories next to an empty store (the index
// is one KV value, read and written whole). The machine is shared and noisy: read the ratios.
const WRITES = Number(process.env.BENCH_N ?? 400);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const FULL = Number(process.env.BENCH_FULL ?? 500);
const actor = { type: "api_actor" as const, api_key_id: "ckey_BENCH" as const };

const newStore = async (bus: Bus) => (await request(bus, MEMORY_RPC.storesCreate, { name: "bench" })).id;
const create = (bus: Bus, store: MemoryStoreId, path: string) =>
  request(bus, MEMORY_RPC.memoriesCreate, {
    memory_store_id: store,
    path,
    content: `content of ${path}`,
    actor,
  });

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const system = await startSystem("bench");
  const bus = system.bus;
  for (let i = 0; i < 2; i++) system.spawn("session-store", { LOG_LEVEL: "warn", CORRAL_TASK_INTAKE: "0" });
  await untilAnswers(() => request(bus, MEMORY_RPC.storesList, { limit: 1 }, { timeoutMs: 1000 }));

  const shared = await newStore(bus);
  const own = await Promise.all(Array.from({ length: WRITERS }, () => newStore(bus)));
  const oneStore = await throughput(WRITES, WRITERS, (i) => create(bus, shared, `/w/${i}.md`));
  const manyStores = await throughput(WRITES, WRITERS, (i) => create(bus, own[i % WRITERS]!, `/w/${i}.md`));

  const full = await newStore(bus);
  for (let i = 0; i < FULL; i++) await create(bus, full, `/notes/${i}/memory.md`);
  const empty = await newStore(bus);
  const onFull = await timeEach(100, (i) => create(bus, full, `/more/${i}.md`));
  const onEmpty = await timeEach(100, (i) => create(bus, empty, `/more/${i}.md`));

  printRows(`memory writes (${WRITES} creates, ${WRITERS} writers, 2 session-store replicas)`, [
    {
      metric: `creates/s, ${WRITERS} writers on one store`,
      corral: oneStore,
      baseline: manyStores,
      unit: "/s",
      target: `vs a store per writer (informative)`,
      ok: () => true,
    },
    {
      metric: `create p50 on a store of ${FULL + 100} memories`,
      corral: percentile(onFull, 50),
      baseline: percentile(onEmpty, 50),
      unit: "ms",
      target: "vs an empty store (informative)",
      ok: () => true,
    },
  ]);
  await system.stop();
}

await main();
