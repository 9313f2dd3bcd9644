import { spawn, type ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@corral/logger";

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface Supervisor {
  stop(): Promise<void>;
}

/**
 * Runs each process and restarts it when it dies (with a growing delay while it keeps crashing),
 * reporting every exit. Output goes to the supervisor's own stdout/stderr, prefixed by nothing: the
 * services log JSON lines with their own `service` field.
 */
export function supervise(specs: readonly ProcessSpec[], logger: Logger, cwd: string): Supervisor {
  const children = new Map<string, ChildProcess>();
  let stopping = false;

  async function run(spec: ProcessSpec): Promise<void> {
    let crashes = 0;
    while (!stopping) {
      const started = Date.now();
      const child = spawn(spec.command, spec.args, {
        cwd,
        env: { ...process.env, ...spec.env },
        stdio: ["ignore", "inherit", "inherit"],
      });
      children.set(spec.name, child);
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) =>
        child.once("exit", (c, s) => done([c, s])),
      );
      children.delete(spec.name);
      if (stopping) return;
      crashes = Date.now() - started > 30_000 ? 1 : crashes + 1;
      const delayMs = Math.min(10_000, 250 * 2 ** (crashes - 1));
      logger.error(
        { process: spec.name, code, signal, restart_in_ms: delayMs },
        "process exited; restarting",
      );
      await sleep(delayMs);
    }
  }

  for (const spec of specs) void run(spec);

  return {
    async stop() {
      stopping = true;
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((done) => {
              child.once("exit", () => done());
              child.kill("SIGTERM");
              setTimeout(() => child.kill("SIGKILL"), 5000).unref();
            }),
        ),
      );
    },
  };
}
