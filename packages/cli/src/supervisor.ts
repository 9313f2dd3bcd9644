import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { DEFAULT_BACKOFF, describeExit, nextStreak, restartDelayMs, type Backoff } from "./crash-backoff.js";
import { logTap, type LogTap } from "./log-tap.js";
import { exitOf, signalGroup, spawnGroup, terminateGroup, type ProcessSpec } from "./process-group.js";

export type { ProcessSpec } from "./process-group.js";

export interface SuperviseOptions {
  cwd: string;
  /** Where restart lines go: `corral up`'s console. */
  report: (line: string) => void;
  backoff?: Partial<Backoff>;
  /** How long a process may take to stop after SIGTERM before it gets SIGKILL. */
  graceMs?: number;
  /**
   * Each process's output to `<logDir>/<name>.log`, the console getting only what a person should see
   * (see `logTap`). Unset: the processes write to the console themselves.
   */
  logDir?: string;
}

export interface Supervisor {
  /** Stops every process, last started first, and resolves when none is left. */
  stop(): Promise<void>;
  /** SIGKILL to every process group at once, synchronously: for an exit that cannot wait. */
  kill(): void;
}

/** One supervised process: its spec, the running child, and how often it has been restarted. */
interface Supervised {
  spec: ProcessSpec;
  child: ChildProcess | null;
  tap: LogTap | null;
  restarts: number;
  /** Crashes in a row, each within `stableMs` of its start. */
  streak: number;
}

interface SupervisorState {
  cwd: string;
  report: (line: string) => void;
  backoff: Backoff;
  stopping: AbortController;
}

async function runOnce(state: SupervisorState, supervised: Supervised): Promise<void> {
  const started = Date.now();
  const child = spawnGroup(supervised.spec, state.cwd, supervised.tap ? "pipe" : "inherit");
  supervised.tap?.attach(child.stdout);
  supervised.tap?.attach(child.stderr);
  supervised.child = child;
  // With its output piped, the last lines may still be in flight at exit: read them (a second at most).
  const drained = new Promise((resolve) => child.once("close", resolve));
  const exit = await exitOf(child);
  if (supervised.tap) await Promise.race([drained, sleep(1000)]);
  supervised.child = null;
  if (state.stopping.signal.aborted) return;
  supervised.streak = nextStreak(supervised.streak, Date.now() - started, state.backoff);
  supervised.restarts += 1;
  const delayMs = restartDelayMs(supervised.streak, state.backoff);
  const words = supervised.tap?.lastWords();
  state.report(
    `corral: ${supervised.spec.name} ${describeExit(exit)}${words ? ` (${words})` : ""}; restart ${supervised.restarts} in ${delayMs} ms`,
  );
  await sleep(delayMs, undefined, { signal: state.stopping.signal }).catch(() => undefined);
}

async function keepRunning(state: SupervisorState, supervised: Supervised): Promise<void> {
  while (!state.stopping.signal.aborted) await runOnce(state, supervised);
}

/**
 * Runs each process and restarts it whenever it dies, saying so on the console (which process, its
 * exit code or signal, how many restarts) and waiting longer each time while it keeps crashing.
 */
export function supervise(specs: readonly ProcessSpec[], options: SuperviseOptions): Supervisor {
  const state: SupervisorState = {
    cwd: options.cwd,
    report: options.report,
    backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    stopping: new AbortController(),
  };
  const processes: Supervised[] = specs.map((spec) => ({
    spec,
    child: null,
    tap: options.logDir ? logTap(options.logDir, spec.name, options.report) : null,
    restarts: 0,
    streak: 0,
  }));
  const loops = processes.map((supervised) => keepRunning(state, supervised));
  const graceMs = options.graceMs ?? 10_000;
  return {
    async stop() {
      state.stopping.abort();
      for (const supervised of [...processes].reverse())
        if (supervised.child) await terminateGroup(supervised.child, graceMs);
      await Promise.all(loops);
      for (const supervised of processes) supervised.tap?.close();
    },
    kill() {
      state.stopping.abort();
      for (const supervised of processes) if (supervised.child) signalGroup(supervised.child, "SIGKILL");
    },
  };
}
