import { readdirSync, readFileSync } from "node:fs";

/** CPU seconds by kind of process on this machine, and the machine's busy and total CPU seconds (/proc). */
export interface CpuSnapshot {
  byKind: Map<string, number>;
  busy: number;
  total: number;
}

const TICKS_PER_SECOND = 100;

interface Proc {
  ppid: number;
  comm: string;
  cmdline: string;
  seconds: number;
}

/** Whether `pid` is this bench process or was started by it (its services and nats-servers). */
function ours(pid: number, procs: Map<number, Proc>): boolean {
  for (let at = pid, hops = 0; at > 1 && hops < 20; hops++) {
    if (at === process.pid) return true;
    at = procs.get(at)?.ppid ?? 0;
  }
  return false;
}

function kindOf(pid: number, p: Proc, procs: Map<number, Proc>): string {
  if (pid === process.pid) return "bench client + model";
  if (/^(dockerd|containerd|containerd-shim|runc|docker-init|docker-proxy)/.test(p.comm))
    return "docker daemons (shared)";
  if (!ours(pid, procs)) return "others (not this bench)";
  if (p.comm === "nats-server") return "nats-server";
  return /services\/([a-z-]+)\//.exec(p.cmdline)?.[1] ?? "bench: other";
}

function read(file: string): string | null {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function machine(): { busy: number; total: number } {
  const ticks = (read("/proc/stat") ?? "cpu 0 0 0 0").split("\n")[0]!.split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

function processes(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  let pids: string[] = [];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    // not Linux: no per-process figures
  }
  for (const pid of pids) {
    const stat = read(`/proc/${pid}/stat`);
    // Processes in containers are counted below, from the cgroup (their short-lived commands too).
    if (!stat || read(`/proc/${pid}/cgroup`)?.includes(":/docker/")) continue;
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    procs.set(Number(pid), {
      ppid: Number(fields[1]),
      comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
      cmdline: (read(`/proc/${pid}/cmdline`) ?? "").replaceAll("\0", " "),
      seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND,
    });
  }
  return procs;
}

/** CPU seconds (user + system) every live process has used so far, summed by kind. */
export function sampleCpu(): CpuSnapshot {
  const by = new Map<string, number>();
  const procs = processes();
  for (const [pid, p] of procs) {
    const kind = kindOf(pid, p, procs);
    by.set(kind, (by.get(kind) ?? 0) + p.seconds);
  }
  const containers = Number(read("/sys/fs/cgroup/cpuacct/docker/cpuacct.usage") ?? Number.NaN) / 1e9;
  if (Number.isFinite(containers)) by.set("sandboxes (every container)", containers);
  return { byKind: by, ...machine() };
}

/**
 * CPU seconds used between two snapshots, by kind (a process that exited in between is missed; one
 * started in between counts whole). Rough, but enough to say which part of the stack the cores went to.
 */
export function cpuBetween(before: CpuSnapshot, after: CpuSnapshot): CpuUse {
  const byKind = new Map<string, number>();
  for (const [kind, seconds] of after.byKind)
    byKind.set(kind, Math.max(0, seconds - (before.byKind.get(kind) ?? 0)));
  return { byKind, busyShare: (after.busy - before.busy) / Math.max(1e-9, after.total - before.total) };
}

export interface CpuUse {
  byKind: Map<string, number>;
  /** The share of the machine's CPU time that was busy (1 = every core all the time). */
  busyShare: number;
}

export const describeCpu = (use: CpuUse) =>
  `cores ${Math.round(use.busyShare * 100)}% busy; CPU s: ${[...use.byKind.entries()]
    .filter(([, s]) => s >= 0.5)
    .sort((a, b) => b[1] - a[1])
    .map(([kind, s]) => `${kind} ${s.toFixed(1)}`)
    .join(", ")}`;
