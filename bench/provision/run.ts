import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { Bus } from "@corral/bus";
import { newSession } from "@corral/harness/testing";
import { idleWarmContainers } from "@corral/sandbox-manager/testing";
import { percentile, printRows, type Row } from "../lib/stats.js";
import { removeRaw, rawFirstByte } from "./raw.js";
import { destroyAll, firstToolCall, poolSettles, startManager, startStack, type Host } from "./stack.js";

/**
 * A burst of first tool calls (provision + `bash echo` over NATS, as the harness makes them) at 1, 10 and 40
 * at a time, against raw dockerode create + attach + start to the container's first byte at the same
 * concurrency, in the same run; with the warm pool at 0 and at its default.
 */
const LEVELS = (process.env.BENCH_LEVELS ?? "1,10,40").split(",").map(Number);
const ROUNDS = (level: number) => (level === 1 ? 8 : level <= 10 ? 2 : 1);

interface Burst {
  ms: number[];
  /** Warm containers ready when the burst began. */
  warm: number;
}

async function rawBurst(level: number): Promise<number[]> {
  const runs = await Promise.all(Array.from({ length: level }, () => rawFirstByte()));
  await removeRaw(runs.map((r) => r.id));
  return runs.map((r) => r.ms);
}

async function corralBurst(bus: Bus, host: Host, level: number): Promise<Burst> {
  const sessions = await Promise.all(
    Array.from({ length: level }, () => newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] })),
  );
  await sleep(1000); // a session's first tool call follows its model's first answer, not its creation
  const warm = await idleWarmContainers(host.id);
  const runs = await Promise.all(sessions.map((s) => firstToolCall(bus, s)));
  await destroyAll(
    bus,
    runs.map((r) => r.sbx),
  );
  return { ms: runs.map((r) => r.ms), warm };
}

const merge = (bursts: Burst[]): Burst => ({
  ms: bursts.flatMap((b) => b.ms),
  warm: Math.min(...bursts.map((b) => b.warm)),
});

interface Level {
  raw: number[];
  cold: Burst;
  asItStood: Burst;
  grown: Burst;
}

function rows(level: Level): Row[] {
  const none = { target: "(no target)", ok: () => true };
  const vsRaw = (name: string, b: Burst, q: number, target?: Row["target"]): Row => ({
    metric: `${name} p${q}`,
    corral: percentile(b.ms, q),
    baseline: percentile(level.raw, q),
    unit: "ms",
    ...(target ? { target, ok: (r: number) => r <= 1.3 } : none),
  });
  return [
    vsRaw("pool 0 (all cold)", level.cold, 50),
    vsRaw("pool 0 (all cold)", level.cold, 95, "ratio ≤ 1.3 of raw create+start"),
    vsRaw(`default pool as it stood (${level.asItStood.warm} warm)`, level.asItStood, 50),
    vsRaw(`default pool as it stood (${level.asItStood.warm} warm)`, level.asItStood, 95),
    vsRaw(`pool grown to demand (${level.grown.warm} warm)`, level.grown, 50),
    {
      metric: `pool grown to demand (${level.grown.warm} warm) p95`,
      corral: percentile(level.grown.ms, 95),
      baseline: 1000,
      unit: "ms",
      target: "< 1 s when the pool covers the burst (baseline column = the target)",
      ok: (r) => r < 1,
    },
  ];
}

async function measureMode(bus: Bus, natsUrl: string, host: Host, pool0: boolean) {
  const env: Record<string, string> = pool0 ? { SANDBOX_WARM_POOL: "0" } : {};
  const manager = await startManager(bus, natsUrl, host, env);
  await poolSettles(host.id, 1000, 30_000, 4000);
  const out = new Map<number, { raw: number[]; first: Burst; grown: Burst }>();
  for (const level of LEVELS) {
    const raw: number[] = [];
    const first: Burst[] = [];
    const grown: Burst[] = [];
    for (let round = 0; round < ROUNDS(level); round++) {
      raw.push(...(await rawBurst(level)));
      first.push(await corralBurst(bus, host, level));
      if (pool0) continue;
      await poolSettles(host.id, level);
      grown.push(await corralBurst(bus, host, level));
    }
    out.set(level, { raw, first: merge(first), grown: merge(grown.length ? grown : first) });
  }
  await manager.kill("SIGTERM");
  return out;
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const { natsUrl, bus, host, stop } = await startStack("bench-provision");
  try {
    const cold = await measureMode(bus, natsUrl, host, true);
    const warm = await measureMode(bus, natsUrl, host, false);
    for (const level of LEVELS) {
      const c = cold.get(level)!;
      const w = warm.get(level)!;
      const title = `first tool call, ${level} at a time (${c.first.ms.length} calls per row; raw = dockerode create+attach+start → first byte, ${c.raw.length + w.raw.length} runs; shared 2-core machine)`;
      printRows(
        title,
        rows({ raw: [...c.raw, ...w.raw], cold: c.first, asItStood: w.first, grown: w.grown }),
      );
    }
  } finally {
    await stop();
  }
}

await main();
