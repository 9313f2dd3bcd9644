import { spawn, type ChildProcess } from "node:child_process";
import type { ProcessExit } from "./crash-backoff.js";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/**
 * Starts the process as the leader of its own process group, so a signal reaches whatever it started
 * too, and Ctrl-C in the terminal reaches only the supervisor, which then stops everything in order.
 */
export function spawnGroup(
  spec: ProcessSpec,
  cwd: string,
  output: "inherit" | "pipe" = "inherit",
): ChildProcess {
  return spawn(spec.command, spec.args, {
    cwd,
    env: { ...process.env, ...spec.env },
    stdio: ["ignore", output, output],
    detached: true,
  });
}

/** Resolves once the child has exited or failed to start, whichever it does. */
export function exitOf(child: ChildProcess): Promise<ProcessExit> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
  });
}

/** Sends a signal to the child's whole group; a group already gone is not an error. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: every process of the group has exited.
  }
}

/** SIGTERM to the group, then SIGKILL once `graceMs` has passed; resolves when the child is gone. */
export async function terminateGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.pid === undefined) return;
  const exited = exitOf(child);
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // The leader is gone; anything it left behind in its group goes with it.
  signalGroup(child, "SIGKILL");
}
