import { existsSync, mkdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { Logger } from "@corral/logger";
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
  /** Extra environment per service (e.g. the model endpoint for the harness). */
  env: Partial<Record<(typeof SERVICES)[number], Record<string, string>>>;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

function natsSpec(root: string, port: number): ProcessSpec {
  const dataDir = join(root, ".corral", "nats");
  mkdirSync(dataDir, { recursive: true });
  return {
    name: "nats-server",
    command: "nats-server",
    args: [
      "-js",
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "-sd",
      dataDir,
      "-l",
      join(root, ".corral", "nats-server.log"),
    ],
  };
}

function serviceSpec(
  root: string,
  service: string,
  natsUrl: string,
  env: Record<string, string>,
): ProcessSpec {
  return {
    name: service,
    command: process.execPath,
    args: ["--import", "tsx", join(root, "services", service, "src", "main.ts")],
    env: { NATS_URL: natsUrl, ...env },
  };
}

/** Brings up the whole stack on embedded defaults and keeps it up until SIGINT/SIGTERM. */
export async function up(
  options: UpOptions,
  logger: Logger,
): Promise<{ natsUrl: string; stop: () => Promise<void> }> {
  const specs: ProcessSpec[] = [];
  let natsUrl = options.natsUrl;
  if (!natsUrl) {
    natsUrl = `nats://127.0.0.1:${options.natsPort}`;
    if (await listening(options.natsPort))
      logger.info({ nats_url: natsUrl }, "using the nats-server already listening");
    else specs.push(natsSpec(options.root, options.natsPort));
  }
  for (const service of SERVICES) {
    if (existsSync(join(options.root, "services", service, "src", "main.ts")))
      specs.push(serviceSpec(options.root, service, natsUrl, options.env[service] ?? {}));
  }
  const supervisor = supervise(specs, logger, options.root);
  for (let i = 0; i < 150 && !options.natsUrl && !(await listening(options.natsPort)); i++)
    await new Promise((r) => setTimeout(r, 100));
  return { natsUrl, stop: () => supervisor.stop() };
}
