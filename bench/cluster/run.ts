import { startNatsCluster, startNatsServer, type NatsServer } from "@corral/testing";
import buildServices from "../../test/support/build.js";
import { startStack, type Stack } from "../../test/support/stack.js";
import { runBatch, type Batch } from "./batch.js";
import { runLossBatch, type LossRun } from "./loss-batch.js";
import { BENCH_STACK, benchProgram, type BenchProgram } from "./program.js";
import { printComparison, printSweep } from "./report.js";
import { printNodeLoss } from "./report-loss.js";
import { sweepReplicas } from "./replica-sweep.js";
import { clearSandboxes } from "./sandboxes.js";
import { taskTarget, timeTask, type TaskLag } from "./task-intake.js";
import { measureTtft } from "./ttft.js";

/**
 * `bench/cluster`, in one process: the same stack (two session-stores and harnesses, a credential-proxy,
 * a sandbox-manager, permissions on) on one nats-server at R1 and on a 3-node cluster at R3, both up at
 * once and measured in turns: TTFT, task intake and the throughput of a batch (twice each, alternating);
 * then a longer batch on the cluster with and without the node leading the most streams SIGKILLed and
 * restarted (stall, harmed sessions, election time, status and task-intake lag); then the batch on one
 * server with 3/2/1 harnesses and 2/1 sandbox-managers.
 */
export interface Measured {
  ttftMs: number[];
  batches: Batch[];
  quietTasks: TaskLag[];
}

const ROUNDS = 2;
const t0 = Date.now();
const say = (line: string) => process.stdout.write(`[${((Date.now() - t0) / 1000).toFixed(0)} s] ${line}\n`);

async function up(nats: NatsServer, replicas: number, name: string) {
  const stack = await startStack(nats, { ...BENCH_STACK, streamReplicas: replicas, clientName: name });
  const program = benchProgram();
  stack.model.setFallback(program.reply);
  return { stack, program, measured: { ttftMs: [], batches: [], quietTasks: [] } as Measured };
}

async function measureRound(s: { stack: Stack; program: BenchProgram; measured: Measured }, label: string) {
  s.measured.ttftMs.push(...(await measureTtft(s.stack.bus, s.program)));
  const [agent, env] = await taskTarget(s.stack.bus);
  s.measured.quietTasks.push(await timeTask(s.stack.bus, agent, env));
  const [batch] = await runBatch(s.stack.bus);
  s.measured.batches.push(batch);
  say(`${label}: ${batch.perSecond.toFixed(2)} sessions/s`);
  await clearSandboxes(
    s.stack.bus,
    batch.sessions.map((x) => x.id),
  );
}

/**
 * `BENCH_PARTS` (comma-separated, default all): `compare` (the two stacks in turns), `loss` (the node-loss
 * batches, with the quiet task-intake figure they are read against), `sweep` (replica counts).
 */
const parts = new Set((process.env.BENCH_PARTS ?? "compare,loss,sweep").split(","));

buildServices(); // the services run from their bundles: measure the code as it is
const single = parts.has("compare") ? await startNatsServer({ auth: true }) : null;
const cluster = await startNatsCluster(3);
const one = single ? await up(single, 1, "bench-one") : null;
const three = await up(cluster, 3, "bench-cluster");
say("stacks up");
for (let round = 1; one && round <= ROUNDS; round++) {
  await measureRound(one, `round ${round}, one nats-server at R1`);
  await measureRound(three, `round ${round}, 3-node cluster at R3`);
}
let loss: [LossRun, LossRun] | null = null;
if (parts.has("loss")) {
  if (!one) {
    const [agent, env] = await taskTarget(three.stack.bus);
    three.measured.quietTasks.push(await timeTask(three.stack.bus, agent, env));
  }
  const quiet = await runLossBatch(cluster, three.stack, false);
  say("node-loss baseline batch done");
  await clearSandboxes(
    three.stack.bus,
    quiet.batch.sessions.map((x) => x.id),
  );
  loss = [quiet, await runLossBatch(cluster, three.stack, true)];
  say("node-loss batch done");
}
// Stopping a stack removes every sandbox this process labelled, so both stop once neither is measured.
await three.stack.stop();
await one?.stack.stop();
await cluster.stop();
await single?.stop();
const sweep = parts.has("sweep") ? await sweepReplicas() : null;
say("done");
if (one) printComparison(one.measured, three.measured);
if (loss) printNodeLoss(loss[0], loss[1], three.measured.quietTasks);
if (sweep) printSweep(sweep);
