import { percentile, printRows, type Row } from "../lib/stats.js";
import type { IdleCost, Memory } from "./idle-cost.js";

const MB = 1024 * 1024;
/** The target for the session-store's memory per idle session, bytes. */
const STORE_TARGET_BYTES = 2048;

function memoryRows(name: string, m: { before: Memory; after: Memory }, added: number): Row[] {
  const free = { target: "(no target)", ok: () => true };
  return [
    {
      metric: `${name}: live heap, after vs before`,
      corral: m.after.heap / MB,
      baseline: m.before.heap / MB,
      unit: "MB",
      ...free,
    },
    {
      metric: `${name}: VmRSS, after vs before`,
      corral: m.after.rss / MB,
      baseline: m.before.rss / MB,
      unit: "MB",
      ...free,
    },
    {
      metric: `${name}: live heap per idle session`,
      corral: (m.after.heap - m.before.heap) / added,
      baseline: STORE_TARGET_BYTES,
      unit: "B/2KB",
      target: name === "session-store" ? "< 2 KB" : "≈ 0 (nothing held)",
      ok: (r) => (name === "session-store" ? r < 1 : r < 0.05),
    },
    {
      metric: `${name}: VmRSS per idle session`,
      corral: (m.after.rss - m.before.rss) / added,
      baseline: STORE_TARGET_BYTES,
      unit: "B/2KB",
      ...free,
    },
  ];
}

/** The idle-session phase: throughput of the bursts, and each service's memory before and after. */
export function printIdleCost(
  cost: IdleCost,
  run: { existing: number; total: number; live: number; baseline: number },
): void {
  const median = percentile(cost.rates, 50);
  printRows(
    `scale: ${run.existing} → ${run.total} sessions in the log, ${run.live} live at a time (one turn each, then idle); ` +
      `before = with ${run.existing}, after = with ${run.total}; live heap after a full GC (heap snapshot)`,
    [
      {
        metric: `sessions/s, bursts of ${run.live} (median) vs 200`,
        corral: median,
        baseline: run.baseline,
        unit: "sess/s",
        target: `${cost.failed} failed or unfinished (0 wanted)`,
        ok: () => cost.failed === 0,
      },
      ...memoryRows("session-store", cost.store, cost.added),
      ...memoryRows("harness (2 replicas)", cost.harness, cost.added),
    ],
  );
  process.stdout.write(`burst rates (sess/s): ${cost.rates.map((r) => r.toFixed(1)).join(", ")}\n`);
}
