import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "@corral/logger";
import { apiTarget, explain, DEFAULT_URL } from "./api.js";
import { UsageError, type CliContext } from "./context.js";
import { startStack, welcome, type RunningStack, type UpConfig } from "./commands/bring-up.js";
import { keysCommand } from "./commands/keys.js";
import { natsConfigCommand } from "./commands/nats-config.js";
import { natsReplicasCommand } from "./commands/nats-replicas.js";
import { recordsCommand } from "./commands/records.js";
import { runCommand } from "./commands/run-task.js";
import { sessionsCommand } from "./commands/sessions.js";
import { vaultsCommand } from "./commands/vaults.js";
import { gatewayKeyStore } from "./key-store-gateway.js";
import { healthPortBaseFrom } from "./health-ports.js";

const USAGE = `usage: corral <command>
  up                                  run the whole stack: nats-server and every service
  run "<task>" [--agent NAME] [--model ID] [--agent-file F] [--environment-file F]
                                      start a session for the task and follow it until it stops
  sessions ls [--limit N] | show ID | tail ID [--last N] | interrupt ID | archive ID
  agents ls | show ID                 environments ls | show ID
  vaults ls | create NAME | show ID | delete ID
  vaults add-env VAULT NAME --hosts h1,h2     a secret env var for sandboxes; the value is read from stdin
  keys create [--name NAME] | ls | revoke ID     (talks to NATS directly: run it on a Corral host)
  nats-config --out DIR [--nodes 3] [--tls]      NATS users and a server config per cluster node
  nats-replicas N                     every Corral stream and bucket to N replicas (then CORRAL_REPLICAS=N)
The API is at $CORRAL_URL (default ${DEFAULT_URL}) with $CORRAL_API_KEY (default: .corral/api-key, written by \`corral up\`).`;

const env = process.env;
const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const natsPort = Number(env.CORRAL_NATS_PORT ?? 4222);
const ctx: CliContext = {
  root,
  target: apiTarget(root, env),
  natsUrl: env.NATS_URL,
  natsPort,
  natsAuthDir: env.CORRAL_NATS_AUTH_DIR ?? (env.NATS_URL ? undefined : join(root, ".corral", "nats", "auth")),
  out: (line) => void process.stdout.write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  logger: createLogger({ service: "corral", level: env.LOG_LEVEL ?? "warn" }),
  readStdin: async () => {
    let text = "";
    for await (const chunk of process.stdin) text += String(chunk);
    return text.replace(/\r?\n$/, "");
  },
};
const keys = () => gatewayKeyStore(env.NATS_URL ?? `nats://127.0.0.1:${natsPort}`, ctx.natsAuthDir);

/**
 * Ctrl-C or SIGTERM stops the stack in order and exits; another one a second later kills what is left at
 * once (within that second it is the same Ctrl-C again: `npm start` forwards the terminal's SIGINT).
 * Whatever way this process ends, nothing it started outlives it.
 */
function stopOnSignals(stack: RunningStack): void {
  let firstSignalAt: number | null = null;
  const onSignal = () => {
    if (firstSignalAt === null) {
      firstSignalAt = Date.now();
      ctx.err("corral: stopping (Ctrl-C again to stop at once)");
      void stack.stop().then(() => process.exit(0));
    } else if (Date.now() - firstSignalAt > 1000) {
      ctx.err("corral: stopping at once");
      stack.kill();
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.once("exit", () => stack.kill());
}

/** `corral up`: runs until a signal stops it. */
async function bringUp(config: UpConfig): Promise<number> {
  const stack = await startStack(ctx, config);
  stopOnSignals(stack);
  try {
    await welcome(ctx, keys(), stack, config);
  } catch (error) {
    ctx.err(`corral up could not finish starting: ${explain(error, ctx.target)}`);
    await stack.stop();
    return 1;
  }
  return new Promise<number>(() => undefined);
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case "up":
      return bringUp({
        anthropicApiKey: env.ANTHROPIC_API_KEY || undefined,
        anthropicBaseUrl: env.ANTHROPIC_BASE_URL || undefined,
        demoTask: env.CORRAL_DEMO !== "0",
        healthPortBase: healthPortBaseFrom(env.CORRAL_HEALTH_PORT_BASE),
      });
    case "run":
      return runCommand(ctx, args, env.CORRAL_MODEL ?? "claude-sonnet-4-6");
    case "sessions":
      return sessionsCommand(ctx, args);
    case "agents":
    case "environments":
      return recordsCommand(ctx, command, args);
    case "keys":
      return keysCommand(ctx, keys(), args);
    case "vaults":
      return vaultsCommand(ctx, args);
    case "nats-config":
      return natsConfigCommand(ctx, args);
    case "nats-replicas":
      return natsReplicasCommand(ctx, args);
    default:
      throw new UsageError(command ? `unknown command ${command}` : "");
  }
}

await main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      ctx.err(`${error.message ? `${error.message}\n` : ""}${USAGE}`);
      process.exit(2);
    }
    ctx.err(explain(error, ctx.target));
    process.exit(1);
  },
);
