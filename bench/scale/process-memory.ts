import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ChildProcess } from "node:child_process";

/**
 * A service's memory seen from outside, with no debug endpoint and no inspector: resident memory from
 * /proc, and its live heap from a heap snapshot Node writes on a signal (`--heapsnapshot-signal`; taking
 * one runs a full GC first, so what it counts is what is still reachable).
 */
export interface MemoryProbe {
  /** NODE_OPTIONS for a service process, so that SIGUSR2 makes it write a snapshot into this probe's dir. */
  readonly env: Record<string, string>;
  /** Bytes reachable on the JS heap of `child` right now (a snapshot's nodes' self sizes, summed). */
  liveHeap(child: ChildProcess): Promise<number>;
  close(): void;
}

/** VmRSS of a process, bytes. */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
  if (!line) throw new Error(`no VmRSS for ${pid}`);
  return Number(line[1]) * 1024;
}

function heapOf(file: string): number {
  const snapshot = JSON.parse(readFileSync(file, "utf8")) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const size = fields.indexOf("self_size");
  let total = 0;
  for (let i = size; i < snapshot.nodes.length; i += fields.length) total += snapshot.nodes[i]!;
  return total;
}

/** Waits for the snapshot `pid` is writing: a file ending in .heapsnapshot whose size stopped growing. */
async function written(dir: string, pid: number, seen: Set<string>): Promise<string> {
  let last = -1;
  for (let tries = 0; tries < 1200; tries++) {
    await sleep(250);
    const name = readdirSync(dir).find(
      (f) => f.includes(`.${pid}.`) && f.endsWith(".heapsnapshot") && !seen.has(f),
    );
    if (!name) continue;
    const size = statSync(join(dir, name)).size;
    if (size > 0 && size === last) return (seen.add(name), join(dir, name));
    last = size;
  }
  throw new Error(`process ${pid} wrote no heap snapshot`);
}

export function memoryProbe(): MemoryProbe {
  const dir = mkdtempSync(join(tmpdir(), "corral-heap-"));
  const seen = new Set<string>();
  return {
    env: { NODE_OPTIONS: `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${dir}` },
    async liveHeap(child) {
      child.kill("SIGUSR2");
      const file = await written(dir, child.pid!, seen);
      for (;;) {
        try {
          const bytes = heapOf(file);
          // BENCH_KEEP_HEAP=1 keeps the snapshots (printed) to open in a browser's devtools.
          if (process.env.BENCH_KEEP_HEAP === "1") process.stdout.write(`heap snapshot: ${file}\n`);
          else rmSync(file);
          return bytes;
        } catch {
          await sleep(500); // still being written
        }
      }
    },
    close: () => process.env.BENCH_KEEP_HEAP !== "1" && rmSync(dir, { recursive: true, force: true }),
  };
}
