import { percentile, printRows, type Row } from "../lib/stats.js";
import { BATCH, type Batch } from "./batch.js";
import { describeCpu } from "./cpu-usage.js";
import { STEPS, THINK_MS } from "./program.js";
import type { SweepPoint } from "./replica-sweep.js";
import type { Measured } from "./run.js";

export const out = (line: string) => process.stdout.write(`${line}\n`);
export const ms = (n: number | null | undefined) =>
  n === null || n === undefined || Number.isNaN(n) ? "—" : `${Math.round(n)} ms`;
export const row = (
  metric: string,
  corral: number,
  baseline: number,
  unit: string,
  target = "",
  ok = (_: number) => true,
): Row => ({ metric, corral, baseline, unit, target, ok });
export const spread = (xs: number[]) =>
  xs.length === 0
    ? "none"
    : `p50 ${ms(percentile(xs, 50))} / p95 ${ms(percentile(xs, 95))} / max ${ms(Math.max(...xs))}`;
export const harmed = (b: Batch) => b.sessions.filter((s) => s.harm !== null);

/** Sessions per second over every batch: all sessions finished over all the batches' time. */
const rate = (batches: Batch[]) =>
  batches.reduce((n, b) => n + b.perSecond * b.seconds, 0) / batches.reduce((t, b) => t + b.seconds, 0);

export function printComparison(one: Measured, three: Measured): void {
  printRows(
    `bench/cluster: 3-node cluster at R3 (corral) vs one nats-server at R1 (baseline), same stack, measured in turns; ${one.batches.length} batches each of ${BATCH} sessions × ${STEPS} tools, model thinks ${THINK_MS} ms`,
    [
      row(
        "batch throughput, sessions/s",
        rate(three.batches),
        rate(one.batches),
        "/s",
        "ratio ≥ 0.8",
        (r) => r >= 0.8,
      ),
      row(
        `append → model request p50 (${one.ttftMs.length}, 5 at a time)`,
        percentile(three.ttftMs, 50),
        percentile(one.ttftMs, 50),
        "ms",
      ),
      row("append → model request p95", percentile(three.ttftMs, 95), percentile(one.ttftMs, 95), "ms"),
    ],
  );
  for (const [name, m] of [
    ["cluster", three],
    ["one server", one],
  ] as const)
    for (const [i, b] of m.batches.entries())
      out(
        `  ${name} batch ${i + 1}: ${b.perSecond.toFixed(2)}/s (${b.seconds.toFixed(1)} s, harmed ${harmed(b).length}); ${describeCpu(b.cpu)}`,
      );
  // Each round's two batches ran back to back, so their ratio is the least exposed to the machine's swings.
  const ratios = three.batches.map((b, i) => (b.perSecond / one.batches[i]!.perSecond).toFixed(2));
  out(`  throughput ratio per round (cluster / one server, measured back to back): ${ratios.join(", ")}`);
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
