import { setTimeout as sleep } from "node:timers/promises";
import type { Bus } from "@corral/bus";
import { startNatsCluster, startNatsServer, type NatsCluster, type NatsServer } from "@corral/testing";
import { startStack, type Stack } from "../../test/support/stack.js";
import { runBatch, type Batch } from "./batch.js";
import { loseLeadingNode, type NodeLoss } from "./node-loss.js";
import { benchProgram } from "./program.js";
import { printComparison, printNodeLoss, printSweep } from "./report.js";
import { sweepReplicas } from "./replica-sweep.js";
import { taskTarget, timeTask, type TaskLag } from "./task-intake.js";
import { measureTtft } from "./ttft.js";

/**
 * `bench/cluster`, in one process: the same stack (two session-stores and harnesses, a credential-proxy,
 * a sandbox-manager, permissions on) on one nats-server at R1 and on a 3-node cluster at R3: TTFT and
 * the throughput of a batch; then a batch on the cluster while the node leading the most streams is
 * SIGKILLed and restarted (the stall, harmed sessions, election time, status and task-intake lag); then
 * the batch on one server with 3/2/1 harnesses and 2/1 sandbox-managers.
 */
const DOWN_MS = Number(process.env.BENCH_CLUSTER_DOWN_MS ?? 5000);
const TASK_DELAYS_MS = [200, 1000, 2000, 4000, 7000, 10_000];

export interface Measured {
  ttftMs: number[];
  batch: Batch;
  quietTasks: TaskLag[];
}

async function withStack<T>(nats: NatsServer, replicas: number, fn: (s: Stack) => Promise<T>) {
  const stack = await startStack(nats, { streamReplicas: replicas, taskIntake: true, clientName: "bench" });
  try {
    return await fn(stack);
  } finally {
    await stack.stop();
  }
}

async function measure(stack: Stack): Promise<Measured> {
  const program = benchProgram();
  stack.model.setFallback(program.reply);
  const ttftMs = await measureTtft(stack.bus, program);
  const [agent, env] = await taskTarget(stack.bus);
  const quietTasks: TaskLag[] = [];
  for (let i = 0; i < 3; i++) quietTasks.push(await timeTask(stack.bus, agent, env));
  const [batch] = await runBatch(stack.bus);
  return { ttftMs, batch, quietTasks };
}

async function nodeLoss(cluster: NatsCluster, bus: Bus) {
  const [agent, env] = await taskTarget(bus);
  return runBatch(bus, async () => {
    await sleep(3000);
    const loss: Promise<NodeLoss> = loseLeadingNode(cluster, bus, DOWN_MS);
    const tasks = TASK_DELAYS_MS.map(async (ms) => {
      await sleep(ms);
      return timeTask(bus, agent, env);
    });
    return { loss: await loss, tasks: await Promise.all(tasks) };
  });
}

const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);
const single = await startNatsServer({ auth: true });
say("one nats-server, R1");
const one = await withStack(single, 1, measure);
const cluster = await startNatsCluster(3);
say("3-node cluster, R3");
const [three, [lost, disruption]] = await withStack(cluster, 3, async (stack) => {
  const quiet = await measure(stack);
  say("3-node cluster, R3, node loss");
  return [quiet, await nodeLoss(cluster, stack.bus)] as const;
});
await cluster.stop();
say("replica sweep on one nats-server");
const sweep = await sweepReplicas(single);
await single.stop();
say("done");
printComparison(one, three);
printNodeLoss(three.batch, lost, disruption!.loss, disruption!.tasks, three.quietTasks);
printSweep(sweep);
