import { percentile, printRows, type Row } from "../lib/stats.js";
import type { Batch } from "./batch.js";
import { describeCpu } from "./cpu-usage.js";
import type { NodeLoss } from "./node-loss.js";
import type { SweepPoint } from "./replica-sweep.js";
import type { TaskLag } from "./task-intake.js";
import { BATCH } from "./batch.js";
import { STEPS, THINK_MS } from "./program.js";
import { TTFT_SESSIONS } from "./ttft.js";

const out = (line: string) => process.stdout.write(`${line}\n`);
const ms = (n: number | null | undefined) => (n === null || n === undefined ? "—" : `${Math.round(n)} ms`);
const row = (
  metric: string,
  corral: number,
  baseline: number,
  unit: string,
  target = "",
  ok = (_: number) => true,
): Row => ({ metric, corral, baseline, unit, target, ok });
const spread = (xs: number[]) =>
  `p50 ${ms(percentile(xs, 50))} / p95 ${ms(percentile(xs, 95))} / max ${ms(Math.max(...xs))}`;
const harmed = (b: Batch) => b.sessions.filter((s) => s.harm !== null);

export function printComparison(
  one: { ttftMs: number[]; batch: Batch },
  three: { ttftMs: number[]; batch: Batch },
): void {
  printRows(
    `bench/cluster: 3-node cluster at R3 (corral) vs one nats-server at R1 (baseline), same stack and load; batch of ${BATCH} sessions × ${STEPS} tools, model thinks ${THINK_MS} ms`,
    [
      row(
        "batch throughput, sessions per second",
        three.batch.perSecond,
        one.batch.perSecond,
        "/s",
        "ratio ≥ 0.8",
        (r) => r >= 0.8,
      ),
      row(
        `append → model request p50 (${TTFT_SESSIONS}, 5 at a time)`,
        percentile(three.ttftMs, 50),
        percentile(one.ttftMs, 50),
        "ms",
      ),
      row("append → model request p95", percentile(three.ttftMs, 95), percentile(one.ttftMs, 95), "ms"),
    ],
  );
  out(
    `batch took ${three.batch.seconds.toFixed(1)} s on the cluster, ${one.batch.seconds.toFixed(1)} s on one server; harmed sessions: ${harmed(three.batch).length} / ${harmed(one.batch).length}`,
  );
  out(`  cluster batch: ${describeCpu(three.batch.cpu)}`);
  out(`  one-server batch: ${describeCpu(one.batch.cpu)}`);
}

function printElections(loss: NodeLoss): number {
  const times = [...loss.electionsMs.values()];
  const known = times.filter((t): t is number => t !== null);
  const worst = known.length ? Math.max(...known) : Number.NaN;
  out(
    `\nnode loss: ${loss.node} SIGKILLed (it led ${loss.led.length} streams and consumers), restarted after ${((loss.restartedAt - loss.killedAt) / 1000).toFixed(1)} s`,
  );
  out(
    `  leader elections of what it led: ${spread(known)}; not re-elected within 30 s: ${times.length - known.length}`,
  );
  out(
    `  slowest: ${[...loss.electionsMs.entries()]
      .sort((a, b) => (b[1] ?? 1e9) - (a[1] ?? 1e9))
      .slice(0, 4)
      .map(([g, t]) => `${g} ${ms(t)}`)
      .join(", ")}`,
  );
  return worst;
}

function statusLags(batch: Batch, after = 0): { lags: number[]; unseen: number } {
  const finished = batch.sessions.filter((s) => s.idleAt !== null && s.idleAt >= after);
  const lags = finished.flatMap((s) => (s.listedIdleAt === null ? [] : [s.listedIdleAt - s.idleAt!]));
  return { lags, unseen: finished.length - lags.length };
}

export function printNodeLoss(
  quiet: Batch,
  lost: Batch,
  loss: NodeLoss,
  tasks: TaskLag[],
  quietTasks: TaskLag[],
): void {
  const election = printElections(loss);
  const gaps = (b: Batch) => b.sessions.map((s) => s.worstGapMs);
  printRows(
    "bench/cluster: worst gap between consecutive events per session, batch with the node loss (corral) vs the same batch without (baseline)",
    [
      row("worst gap per session, p50", percentile(gaps(lost), 50), percentile(gaps(quiet), 50), "ms"),
      row("worst gap per session, p95", percentile(gaps(lost), 95), percentile(gaps(quiet), 95), "ms"),
      row(
        "worst gap per session, max",
        Math.max(...gaps(lost)),
        Math.max(...gaps(quiet)),
        "ms",
        `max ≤ election ${ms(election)} + 2 s`,
        () => Math.max(...gaps(lost)) <= election + 2000,
      ),
    ],
  );
  printWorstGaps(lost, loss);
  out(
    `sessions harmed with the node loss: ${harmed(lost).length} (target 0)${harmed(lost)
      .map((s) => `\n  ${s.id}: ${s.harm}`)
      .join("")}`,
  );
  out(
    `throughput of the batch with the node loss: ${lost.perSecond.toFixed(2)}/s (${lost.seconds.toFixed(1)} s)`,
  );
  printLags(quiet, lost, loss, election, tasks, quietTasks);
}

const since = (loss: NodeLoss, at: number) => `+${((at - loss.killedAt) / 1000).toFixed(1)} s`;

function printWorstGaps(lost: Batch, loss: NodeLoss): void {
  const worst = [...lost.sessions].sort((a, b) => b.worstGapMs - a.worstGapMs).slice(0, 3);
  for (const s of worst)
    out(
      `  ${s.id}: ${ms(s.worstGapMs)}, ${s.worstGapAt?.between} from ${s.worstGapAt ? since(loss, s.worstGapAt.startedAt) : "?"} after the SIGKILL`,
    );
}

function printLags(
  quiet: Batch,
  lost: Batch,
  loss: NodeLoss,
  election: number,
  tasks: TaskLag[],
  quietTasks: TaskLag[],
): void {
  const after = statusLags(lost, loss.killedAt);
  const elected = statusLags(lost, loss.killedAt + election);
  const before = statusLags(quiet);
  out(
    `status lag (log idle → session list shows it; polled every 250 ms; target ≤ 3 s):\n  idle after the SIGKILL (${after.lags.length}): ${spread(after.lags)}; never shown: ${after.unseen}\n  idle after the last election (${elected.lags.length}): ${spread(elected.lags)}\n  quiet batch: ${spread(before.lags)}`,
  );
  out(
    `task intake (first publish → tasks.get shows its session; target ≤ 3 s); quiet: ${quietTasks.map((t) => ms(t.sessionMs)).join(", ")}`,
  );
  for (const t of tasks)
    out(
      `  published ${since(loss, t.publishedAt)} after the SIGKILL: stored after ${ms(t.storedMs)}, session after ${ms(t.sessionMs)} (at ${t.sessionMs === null ? "—" : since(loss, t.publishedAt + t.sessionMs)})`,
    );
}

export function printSweep(points: SweepPoint[]): void {
  const base = points.find((p) => p.harnesses === 1 && p.managers === 1)!;
  out(
    `\nbench/cluster: the batch on one nats-server by harness / sandbox-manager replicas (2 session-stores throughout; ratio to 1 harness, 1 manager)`,
  );
  for (const p of points)
    out(
      `  ${p.harnesses} harness, ${p.managers} manager: ${p.batch.perSecond.toFixed(2)} sessions/s (${p.batch.seconds.toFixed(1)} s, harmed ${harmed(p.batch).length})  ratio ${(p.batch.perSecond / base.batch.perSecond).toFixed(2)}\n    ${describeCpu(p.batch.cpu)}`,
    );
  const doubled = points.find((p) => p.batch.perSecond >= 2 * base.batch.perSecond);
  out(
    doubled
      ? `  throughput doubled at ${doubled.harnesses} harnesses and ${doubled.managers} managers`
      : "  no replica count doubled throughput on this machine",
  );
}
