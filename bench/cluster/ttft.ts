import { randomBytes } from "node:crypto";
import type { Bus } from "@corral/bus";
import { newSession, say, send } from "@corral/harness/testing";
import type { BenchProgram } from "./program.js";

export const TTFT_SESSIONS = Number(process.env.BENCH_CLUSTER_TTFT ?? 20);
const CONCURRENCY = 5;

/**
 * Time from the `user.message` send to its model request arriving, as `bench/ttft` measures it (one-turn
 * sessions, a zero-latency answer, CONCURRENCY at a time): the platform's share of time to first token.
 */
export async function measureTtft(bus: Bus, program: BenchProgram): Promise<number[]> {
  const samples: number[] = [];
  let next = 0;
  const one = async () => {
    const text = `quick-${randomBytes(4).toString("hex")}`;
    const sid = await newSession(bus, { tools: [{ type: "agent_toolset_20260401" }] });
    const t0 = performance.now();
    await send(bus, sid, say(text));
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 60_000).unref());
    await Promise.race([program.arrived(text), timeout]);
    const at = program.arrivalOf(text);
    if (at !== undefined) samples.push(at - t0);
  };
  await one();
  samples.length = 0; // the first one warms the connections up
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < TTFT_SESSIONS) await one();
    }),
  );
  return samples;
}
