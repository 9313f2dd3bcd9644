import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";

import { authEnv, isNatsUser } from "@corral/bus";
import { natsAuthFor } from "./nats-server.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote, stdout and stderr, for assertions on logs. */
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** The env a service needs to connect as its own user to a test server started with permissions. */
function identityEnv(service: string, natsUrl: string | undefined): Record<string, string> {
  const auth = natsUrl ? natsAuthFor(natsUrl) : undefined;
  if (!auth || !isNatsUser(service) || service === "tasks") return {};
  return authEnv(auth, service);
}

/**
 * How a service is run: its compiled bundle (`dist/main.mjs`, as `corral up` and the image run it; vitest's
 * global setup builds it first) or its TypeScript sources through tsx (`CORRAL_TEST_SOURCES=1`). Either
 * way the service is this one process, so a signal reaches the service itself.
 */
export function serviceCommand(
  service: string,
  compiled = process.env.CORRAL_TEST_SOURCES !== "1",
): string[] {
  const dir = join(repoRoot, "services", service);
  return compiled
    ? ["--enable-source-maps", join(dir, "dist/main.mjs")]
    : ["--import", "tsx", join(dir, "src/main.ts")];
}

/** Every service process still running: none outlives the test or bench process that started it. */
const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Runs a service as a real child process (so a test can SIGKILL it), as its NATS user. */
export function spawnService(
  service: string,
  env: Record<string, string>,
  options: { compiled?: boolean } = {},
): ServiceProcess {
  env = { ...identityEnv(service, env.NATS_URL), ...env };
  // Extra node flags for every service, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a bench.
  const nodeArgs = process.env.CORRAL_TEST_NODE_ARGS?.split(" ").filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...serviceCommand(service, options.compiled)], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  return {
    child,
    output: () => out,
    async kill(signal = "SIGKILL") {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once("exit", () => done()));
      child.kill(signal);
      await exited;
    },
  };
}
