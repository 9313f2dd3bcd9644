import { percentile, printRows } from "../lib/stats.js";
import type { Batch } from "./batch.js";
import type { LossRun } from "./loss-batch.js";
import { LOSS_STEPS } from "./loss-batch.js";
import type { NodeLoss } from "./node-loss.js";
import { harmed, ms, out, row, spread } from "./report.js";
import type { TaskLag } from "./task-intake.js";

const since = (loss: NodeLoss, at: number) => `+${((at - loss.killedAt) / 1000).toFixed(1)} s`;

function printElections(loss: NodeLoss): number {
  const times = [...loss.electionsMs.values()];
  const known = times.filter((t): t is number => t !== null);
  const slowest = [...loss.electionsMs.entries()].sort((a, b) => (b[1] ?? 1e9) - (a[1] ?? 1e9)).slice(0, 4);
  out(
    `\nnode loss: ${loss.node} SIGKILLed (it led ${loss.led.length} streams and durable consumers), started again ${since(loss, loss.restartedAt)} after`,
  );
  out(
    `  leader elections of what it led: ${spread(known)}; no new leader seen within 30 s (or no answer): ${times.length - known.length}`,
  );
  out(`  slowest: ${slowest.map(([g, t]) => `${g} ${ms(t)}`).join(", ")}`);
  return known.length ? Math.max(...known) : Number.NaN;
}

/** Per session still running at `from`: its longest gap between two events that overlaps [from, to]. */
function stalls(batch: Batch, from: number, to: number): number[] {
  return batch.sessions.flatMap((s) => {
    if ((s.idleAt ?? Infinity) < from) return [];
    let worst = 0;
    for (let i = 1; i < s.times.length; i++)
      if (s.times[i - 1]! < to && s.times[i]! > from) worst = Math.max(worst, s.times[i]! - s.times[i - 1]!);
    return [worst];
  });
}

function statusLags(batch: Batch, after = 0): { lags: number[]; unseen: number } {
  const finished = batch.sessions.filter((s) => s.idleAt !== null && s.idleAt >= after);
  const lags = finished.flatMap((s) => (s.listedIdleAt === null ? [] : [s.listedIdleAt - s.idleAt!]));
  return { lags, unseen: finished.length - lags.length };
}

function printStall(quiet: LossRun, lost: LossRun, loss: NodeLoss, election: number): void {
  const hit = stalls(lost.batch, loss.killedAt, loss.killedAt + election);
  const calm = stalls(quiet.batch, quiet.blowAt, quiet.blowAt + election);
  const worst = Math.max(...hit);
  printRows(
    `bench/cluster: per session running at the SIGKILL, its longest gap between consecutive events overlapping the election (${hit.length} sessions), vs the same window of the same batch undisturbed (${calm.length}); ${LOSS_STEPS} tools per session`,
    [
      row("stall per session, p50", percentile(hit, 50), percentile(calm, 50), "ms"),
      row("stall per session, p95", percentile(hit, 95), percentile(calm, 95), "ms"),
      row(
        "stall per session, max",
        worst,
        Math.max(...calm),
        "ms",
        `≤ election ${ms(election)} + 2 s`,
        () => worst <= election + 2000,
      ),
    ],
  );
  for (const s of [...lost.batch.sessions].sort((a, b) => b.worstGapMs - a.worstGapMs).slice(0, 3))
    out(
      `  worst gap anywhere: ${s.id} ${ms(s.worstGapMs)}, ${s.worstGapAt?.between} from ${s.worstGapAt ? since(loss, s.worstGapAt.startedAt) : "?"}`,
    );
  out(
    `sessions harmed with the node loss: ${harmed(lost.batch).length} (target 0)${harmed(lost.batch)
      .map((s) => `\n  ${s.id}: ${s.harm}`)
      .join("")}; without: ${harmed(quiet.batch).length}`,
  );
  out(
    `throughput of the ${LOSS_STEPS}-tool batch: ${lost.batch.perSecond.toFixed(2)}/s with the loss, ${quiet.batch.perSecond.toFixed(2)}/s without`,
  );
}

function printLags(
  quiet: LossRun,
  lost: LossRun,
  loss: NodeLoss,
  election: number,
  quietTasks: TaskLag[],
): void {
  const after = statusLags(lost.batch, loss.killedAt);
  const elected = statusLags(lost.batch, loss.killedAt + election);
  out(`status lag (log idle → session list shows it; polled every 250 ms; target ≤ 3 s):`);
  out(
    `  sessions idle after the SIGKILL (${after.lags.length}): ${spread(after.lags)}; never shown: ${after.unseen}`,
  );
  out(`  of them idle after the last election (${elected.lags.length}): ${spread(elected.lags)}`);
  out(`  same batch undisturbed: ${spread(statusLags(quiet.batch).lags)}`);
  out(
    `task intake (first publish → tasks.get shows its session; target ≤ 3 s); undisturbed: ${quietTasks.map((t) => ms(t.sessionMs)).join(", ")}`,
  );
  for (const t of lost.tasks)
    out(
      `  published ${since(loss, t.publishedAt)}: stored after ${ms(t.storedMs)}, session after ${ms(t.sessionMs)}${t.sessionMs === null ? "" : ` (at ${since(loss, t.publishedAt + t.sessionMs)})`}`,
    );
}

export function printNodeLoss(quiet: LossRun, lost: LossRun, quietTasks: TaskLag[]): void {
  const loss = lost.loss!;
  const election = printElections(loss);
  printStall(quiet, lost, loss, election);
  printLags(quiet, lost, loss, election, quietTasks);
}
