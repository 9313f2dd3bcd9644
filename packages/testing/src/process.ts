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

/** Runs a service's `src/main.ts` as a real child process (so a test can SIGKILL it), as its NATS user. */
export function spawnService(service: string, env: Record<string, string>): ServiceProcess {
  const main = join(repoRoot, "services", service, "src/main.ts");
  env = { ...identityEnv(service, env.NATS_URL), ...env };
  // `node --import tsx` keeps the service in this one process, so a signal reaches the service itself.
  const child = spawn(process.execPath, ["--import", "tsx", main], {
    cwd: repoRoot,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
