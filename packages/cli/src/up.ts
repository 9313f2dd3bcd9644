import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "@corral/logger";
import { authEnv, ensureAuthMaterial, renderServerConfig, type AuthMaterial } from "@corral/bus";
import { packageProgram } from "./programs.js";
import { supervise, type ProcessSpec } from "./supervisor.js";

/** Every service `corral up` runs, in start order. */
export const SERVICES = [
  "session-store",
  "credential-proxy",
  "sandbox-manager",
  "harness",
  "gateway",
] as const;

export interface UpOptions {
  root: string;
  natsUrl: string | undefined;
  natsPort: number;
  /**
   * The NATS identities (see `ensureAuthMaterial`): every service connects as its own user. Created here
   * when missing; an own nats-server is configured with them. Undefined: connect without (an external
   * server that needs no authentication).
   */
  natsAuthDir: string | undefined;
  /** Extra environment per service (e.g. the model endpoint for the harness). */
  env: Partial<Record<(typeof SERVICES)[number], Record<string, string>>>;
  /** Each service's health server (`/healthz`, `/readyz`, `/metrics`) on loopback; none for a service not named. */
  healthPorts: Partial<Record<(typeof SERVICES)[number], number>>;
}

export interface Stack {
  natsUrl: string;
  /** Resolves once nats-server answers (at once when NATS_URL was given), or after 15 s regardless. */
  natsReady(): Promise<void>;
  stop(): Promise<void>;
  kill(): void;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

/** nats-server on loopback with JetStream in `.corral/nats`, one user per service and no anonymous access. */
function natsSpec(root: string, port: number, auth: AuthMaterial): ProcessSpec {
  const dataDir = join(root, ".corral", "nats");
  mkdirSync(dataDir, { recursive: true });
  const logFile = join(root, ".corral", "nats-server.log");
  const configFile = join(dataDir, "nats-server.conf");
  const config = renderServerConfig({ host: "127.0.0.1", port, storeDir: dataDir, auth, logFile });
  writeFileSync(configFile, config, { mode: 0o600 });
  return { name: "nats-server", command: "nats-server", args: ["-c", configFile] };
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 150 && !(await listening(port)); i++) await sleep(100);
}

/** Starts the whole stack on embedded defaults under one supervisor; it runs until stopped. */
export async function up(
  options: UpOptions,
  deps: { logger: Logger; report: (line: string) => void },
): Promise<Stack> {
  const specs: ProcessSpec[] = [];
  const ownNats = !options.natsUrl && !(await listening(options.natsPort));
  const natsUrl = options.natsUrl ?? `nats://127.0.0.1:${options.natsPort}`;
  const auth = options.natsAuthDir ? ensureAuthMaterial(options.natsAuthDir) : undefined;
  if (ownNats) {
    if (!auth) throw new Error("an own nats-server needs its users: natsAuthDir is required");
    specs.push(natsSpec(options.root, options.natsPort, auth));
  } else if (!options.natsUrl)
    deps.logger.info({ nats_url: natsUrl }, "using the nats-server already listening");
  for (const service of SERVICES) {
    const program = packageProgram(service, "main");
    if (!program) throw new Error(`${service}: no program to run (compiled services: npm run build)`);
    const health = options.healthPorts[service];
    const env = {
      ...(auth ? authEnv(auth, service) : {}),
      ...(health !== undefined && { HEALTH_PORT: String(health) }),
      ...options.env[service],
    };
    specs.push({
      name: service,
      command: program.command,
      args: program.args,
      env: { NATS_URL: natsUrl, ...env },
    });
  }
  const supervisor = supervise(specs, {
    cwd: options.root,
    report: deps.report,
    logDir: join(options.root, ".corral", "logs"),
  });
  return {
    natsUrl,
    natsReady: () => (ownNats ? waitForPort(options.natsPort) : Promise.resolve()),
    stop: () => supervisor.stop(),
    kill: () => supervisor.kill(),
  };
}
