import { setTimeout as sleep } from "node:timers/promises";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, sandboxSubject } from "@corral/protocol";
import type { NatsServer } from "@corral/testing";
import { startStack } from "../../test/support/stack.js";
import { runBatch, type Batch } from "./batch.js";
import { benchProgram } from "./program.js";

export interface SweepPoint {
  harnesses: number;
  managers: number;
  batch: Batch;
}

/** Destroys the batch's sandboxes (and workspaces), so the next batch starts on an equally loaded host. */
async function clearSandboxes(bus: Bus, batch: Batch): Promise<void> {
  for (const { id } of batch.sessions) {
    const listed = await request(bus, SANDBOX_RPC.list, { session_id: id }).catch(() => ({ data: [] }));
    for (const s of listed.data.filter((x) => x.status === "ready"))
      await request(
        bus,
        SANDBOX_RPC.destroy,
        { sandbox_id: s.id, remove_workspace: true },
        { subject: sandboxSubject(s.id, "destroy") },
      ).catch(() => undefined);
  }
  await sleep(5000); // the warm pools refill
}

/**
 * The batch on one nats-server with 3 harnesses and 2 sandbox-managers (each its own `CORRAL_HOST_ID`,
 * pool of 4), then with one manager, then 2 and 1 harnesses: replicas stopped between batches, two
 * session-stores throughout.
 */
export async function sweepReplicas(nats: NatsServer): Promise<SweepPoint[]> {
  const stack = await startStack(nats, { harnesses: 3, managers: 2, clientName: "bench-sweep" });
  const program = benchProgram();
  stack.model.setFallback(program.reply);
  const byName = (name: string) => stack.services.find((s) => s.name === name)!;
  const steps: { harnesses: number; managers: number; stop?: string }[] = [
    { harnesses: 3, managers: 2 },
    { harnesses: 3, managers: 1, stop: "manager-1" },
    { harnesses: 2, managers: 1, stop: "brain-2" },
    { harnesses: 1, managers: 1, stop: "brain-1" },
  ];
  const points: SweepPoint[] = [];
  try {
    for (const step of steps) {
      if (step.stop) await byName(step.stop).stop();
      const [batch] = await runBatch(stack.bus);
      points.push({ harnesses: step.harnesses, managers: step.managers, batch });
      process.stdout.write(`  sweep ${step.harnesses}h/${step.managers}m: ${batch.perSecond.toFixed(2)}/s\n`);
      await clearSandboxes(stack.bus, batch);
    }
  } finally {
    await stack.stop();
  }
  return points;
}
