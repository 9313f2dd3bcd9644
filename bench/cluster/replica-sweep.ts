import { startNatsServer } from "@corral/testing";
import { startStack } from "../../test/support/stack.js";
import { runBatch, type Batch } from "./batch.js";
import { BENCH_STACK, benchProgram } from "./program.js";
import { clearSandboxes } from "./sandboxes.js";

export interface SweepPoint {
  harnesses: number;
  managers: number;
  batch: Batch;
}

/**
 * The batch on a fresh nats-server with 3 harnesses and 2 sandbox-managers (each its own `CORRAL_HOST_ID` and
 * credential-proxy, pool of 4), then with one manager, then 2 and 1 harnesses: replicas stopped between batches, two
 * session-stores throughout; after one warm-up batch that is not counted.
 */
export async function sweepReplicas(): Promise<SweepPoint[]> {
  // A server of its own: a stack started on another deployment's data, with another master key, got no
  // egress config from its credential-proxy and every provision waited out SANDBOX_EGRESS_WAIT_MS.
  const nats = await startNatsServer({ auth: true });
  const stack = await startStack(nats, {
    ...BENCH_STACK,
    harnesses: 3,
    managers: 2,
    clientName: "bench-sweep",
  });
  const program = benchProgram();
  stack.model.setFallback(program.reply);
  const byName = (name: string) => stack.services.find((s) => s.name === name)!;
  const steps: { harnesses: number; managers: number; stop?: string[] }[] = [
    { harnesses: 3, managers: 2 },
    { harnesses: 3, managers: 1, stop: ["manager-1", "proxy-1"] },
    { harnesses: 2, managers: 1, stop: ["brain-2"] },
    { harnesses: 1, managers: 1, stop: ["brain-1"] },
  ];
  const points: SweepPoint[] = [];
  try {
    // The first batch on a fresh stack is the slowest in every run (cold processes and Docker): not a point.
    const [warmUp] = await runBatch(stack.bus);
    process.stdout.write(`  sweep warm-up: ${warmUp.perSecond.toFixed(2)}/s (not counted)\n`);
    await clearSandboxes(
      stack.bus,
      warmUp.sessions.map((s) => s.id),
    );
    for (const step of steps) {
      for (const name of step.stop ?? []) await byName(name).stop();
      const [batch] = await runBatch(stack.bus);
      points.push({ harnesses: step.harnesses, managers: step.managers, batch });
      process.stdout.write(`  sweep ${step.harnesses}h/${step.managers}m: ${batch.perSecond.toFixed(2)}/s\n`);
      await clearSandboxes(
        stack.bus,
        batch.sessions.map((s) => s.id),
      );
    }
  } finally {
    await stack.stop();
    await nats.stop();
  }
  return points;
}
