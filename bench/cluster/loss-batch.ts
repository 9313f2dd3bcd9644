import { setTimeout as sleep } from "node:timers/promises";
import type { NatsCluster } from "@corral/testing";
import type { Stack } from "../../test/support/stack.js";
import { explainSession } from "./explain.js";
import { runBatch, type Batch } from "./batch.js";
import { loseLeadingNode, type NodeLoss } from "./node-loss.js";
import { untilProvisioned } from "./sandboxes.js";
import { taskTarget, timeTask, type TaskLag } from "./task-intake.js";

/** Tool calls per session in the node-loss batches: long enough to be mid-run when the node dies. */
export const LOSS_STEPS = 10;
const DOWN_MS = Number(process.env.BENCH_CLUSTER_DOWN_MS ?? 5000);
const TASK_DELAYS_MS = [200, 1000, 2000, 4000, 7000, 10_000];

export interface LossRun {
  batch: Batch;
  /** When every session had its sandbox, plus a second: when the node was killed (or would have been). */
  blowAt: number;
  loss: NodeLoss | null;
  tasks: TaskLag[];
}

/**
 * A batch of LOSS_STEPS-tool sessions on the cluster; once every session is past provisioning (so the
 * loss lands on running tool loops, not on the provisioning queue), the node leading the most streams is
 * SIGKILLed and restarted after DOWN_MS while tasks are published. With `kill` false the same batch runs
 * undisturbed, as the baseline.
 */
export async function runLossBatch(cluster: NatsCluster, stack: Stack, kill: boolean): Promise<LossRun> {
  const bus = stack.bus;
  const [agent, env] = await taskTarget(bus);
  const [batch, extra] = await runBatch(bus, {
    steps: LOSS_STEPS,
    during: async (ids) => {
      const blowAt = (await untilProvisioned(bus, ids)) + 1000;
      await sleep(blowAt - Date.now());
      if (!kill) return { blowAt, loss: null, tasks: [] };
      const loss = loseLeadingNode(cluster, bus, DOWN_MS);
      const tasks = TASK_DELAYS_MS.map(async (ms) => {
        await sleep(ms);
        return timeTask(bus, agent, env);
      });
      return { blowAt, loss: await loss, tasks: await Promise.all(tasks) };
    },
  });
  for (const s of batch.sessions.filter((x) => x.harm !== null))
    process.stdout.write(
      `harmed ${s.id}: ${s.harm}\n${explainSession(stack.services, s.id, batch.startedAt)}\n`,
    );
  // The longest stall's story too: what the services logged about it, to tell what it waited for.
  const worst = kill
    ? [...batch.sessions].sort((a, b) => (b.worstGapMs ?? 0) - (a.worstGapMs ?? 0))[0]
    : null;
  if (worst)
    process.stdout.write(
      `longest stall ${worst.id}:\n${explainSession(stack.services, worst.id, batch.startedAt)}\n`,
    );
  return { batch, ...extra! };
}
