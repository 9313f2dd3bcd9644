/** Small helpers every benchmark shares: percentiles, timing, and a table printed as text. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** Runs `total` operations with at most `concurrency` in flight; returns operations per second. */
export async function throughput(
  total: number,
  concurrency: number,
  fn: (i: number) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

export interface Row {
  metric: string;
  corral: number;
  baseline: number;
  unit: string;
  /** Human statement of the target, e.g. "ratio ≥ 0.5". */
  target: string;
  /** Whether the ratio meets the target; absent for a figure that is shown without one. */
  ok?: (ratio: number) => boolean;
}

export function printRows(title: string, rows: readonly Row[]): void {
  const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(3));
  process.stdout.write(`\n${title}\n`);
  process.stdout.write(
    `${"metric".padEnd(44)}${"corral".padStart(12)}${"baseline".padStart(12)}  unit     ratio   target\n`,
  );
  for (const row of rows) {
    const ratio = row.corral / row.baseline;
    process.stdout.write(
      `${row.metric.padEnd(44)}${fmt(row.corral).padStart(12)}${fmt(row.baseline).padStart(12)}  ${row.unit.padEnd(8)} ${ratio.toFixed(2).padStart(5)}   ${row.target}${row.ok ? (row.ok(ratio) ? " (met)" : " (NOT met)") : ""}\n`,
    );
  }
}
