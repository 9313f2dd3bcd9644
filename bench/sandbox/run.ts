import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { PassThrough, type Duplex } from "node:stream";
import { startSystem } from "@corral/testing";
import {
  docker,
  provision,
  removeTestContainers,
  runTool,
  startManager,
  RUN_LABEL,
} from "@corral/sandbox-manager/testing";
import { percentile, printRows, timeEach } from "../lib/stats.js";

const N = Number(process.env.BENCH_N ?? 12);
const session = () => `sesn_${randomBytes(10).toString("hex")}`;

/** The same hardened container the manager makes, created and started straight through dockerode. */
async function rawCreateStart(network: string): Promise<string> {
  const volume = `corral-bench-${randomBytes(6).toString("hex")}`;
  await docker.createVolume({ Name: volume, Labels: RUN_LABEL });
  const c = await docker.createContainer({
    Image: "corral-sandbox:1",
    Cmd: ["sleep", "infinity"],
    User: "1000:1000",
    Labels: RUN_LABEL,
    HostConfig: {
      NetworkMode: network,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Init: true,
      Memory: 256 * 2 ** 20,
      MemorySwap: 256 * 2 ** 20,
      PidsLimit: 128,
      Tmpfs: { "/tmp": "rw,exec,nosuid,size=64m" },
      Mounts: [{ Type: "volume", Source: volume, Target: "/workspace" }],
    },
  });
  await c.start();
  return c.id;
}

async function rawExec(containerId: string): Promise<void> {
  const exec = await docker
    .getContainer(containerId)
    .exec({ Cmd: ["echo", "hi"], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Duplex;
  docker.modem.demuxStream(stream, new PassThrough().resume(), new PassThrough().resume());
  await new Promise<void>((resolve) => stream.on("end", resolve));
  await exec.inspect();
}

async function main(): Promise<void> {
  const system = await startSystem("bench");
  const bus = system.bus;
  const cold = await startManager(system.nats.url, { warmPool: 0 });
  const network = cold.config.network;

  await rawCreateStart(network);
  const rawCreate = await timeEach(N, () => rawCreateStart(network));
  const coldProvision = await timeEach(N, () => provision(bus, session()));
  await cold.close();

  const warm = await startManager(system.nats.url, { warmPool: 2 });
  await sleep(3000);
  const warmProvision: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await provision(bus, session());
    warmProvision.push(performance.now() - t0);
    await sleep(1500);
  }

  const sbx = await provision(bus, session());
  const echo = () => runTool(bus, sbx, "bash", { command: "echo hi" });
  await timeEach(20, echo);
  const toolRoundTrip = await timeEach(200, echo);
  const rawTarget = await rawCreateStart(network);
  await rawExec(rawTarget);
  const rawExecs = await timeEach(50, () => rawExec(rawTarget));

  printRows(`sandbox (N=${N} provisions each, 200 tool calls, 50 raw execs)`, [
    {
      metric: "cold provision p50",
      corral: percentile(coldProvision, 50),
      baseline: percentile(rawCreate, 50),
      unit: "ms",
      target: "ratio ≤ 1.3 of raw create+start",
      ok: (r) => r <= 1.3,
    },
    {
      metric: "cold provision p95",
      corral: percentile(coldProvision, 95),
      baseline: percentile(rawCreate, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
    {
      metric: "warm-pool provision p50",
      corral: percentile(warmProvision, 50),
      baseline: percentile(rawCreate, 50),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
    {
      metric: "warm-pool provision p95",
      corral: percentile(warmProvision, 95),
      baseline: 50,
      unit: "ms",
      target: "≤ 50 ms (baseline column = the target)",
      ok: (r) => r <= 1,
    },
    {
      metric: "tool round trip (bash echo) p50",
      corral: percentile(toolRoundTrip, 50),
      baseline: percentile(rawExecs, 50),
      unit: "ms",
      target: "≤ 10 ms; baseline = one docker exec",
      ok: () => percentile(toolRoundTrip, 50) <= 10,
    },
    {
      metric: "tool round trip (bash echo) p95",
      corral: percentile(toolRoundTrip, 95),
      baseline: percentile(rawExecs, 95),
      unit: "ms",
      target: "(no target)",
      ok: () => true,
    },
  ]);
  await warm.close();
  await system.stop();
  await removeTestContainers();
}

await main();
