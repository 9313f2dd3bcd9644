import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";
import type { Bus } from "@corral/bus";
import { burst } from "./burst.js";
import { residentBytes, type MemoryProbe } from "./process-memory.js";

/** A service's memory at one moment: resident (VmRSS) and live heap (after a full GC), bytes. */
export interface Memory {
  rss: number;
  heap: number;
}

export interface IdleCost {
  /** Sessions added in this phase, each run through one turn to idle. */
  added: number;
  /** Sessions per second of each burst of `live` sessions at once. */
  rates: number[];
  /** Sessions that logged session.error or never came to rest. */
  failed: number;
  store: { before: Memory; after: Memory };
  /** Every harness replica's memory, summed. */
  harness: { before: Memory; after: Memory };
}

async function memoryOf(probe: MemoryProbe, children: ChildProcess[]): Promise<Memory> {
  const sum: Memory = { rss: 0, heap: 0 };
  for (const child of children) {
    sum.heap += await probe.liveHeap(child); // the snapshot's GC first, so RSS is read after it
    sum.rss += residentBytes(child.pid!);
  }
  return sum;
}

/**
 * Brings the log to `total` sessions, `live` at a time (each one turn, then idle), and measures the
 * session-store's and the harness's memory before and after: what an idle session costs each.
 */
export async function measureIdleCost(
  deps: {
    bus: Bus;
    agentId: string;
    environmentId: string;
    store: ChildProcess;
    harness: ChildProcess[];
    probe: MemoryProbe;
  },
  existing: number,
  total: number,
  live: number,
): Promise<IdleCost> {
  const settle = () => sleep(3000); // the projector's last folds and the lease bucket's deletes land
  await settle();
  const store = { before: await memoryOf(deps.probe, [deps.store]), after: { rss: 0, heap: 0 } };
  const harness = { before: await memoryOf(deps.probe, deps.harness), after: { rss: 0, heap: 0 } };
  const rates: number[] = [];
  let failed = 0;
  for (let count = existing; count < total; count += live) {
    const result = await burst(deps.bus, deps.agentId, deps.environmentId, Math.min(live, total - count));
    rates.push(result.perSecond);
    failed += result.failed + result.unfinished;
  }
  await settle();
  store.after = await memoryOf(deps.probe, [deps.store]);
  harness.after = await memoryOf(deps.probe, deps.harness);
  return { added: Math.max(0, total - existing), rates, failed, store, harness };
}
