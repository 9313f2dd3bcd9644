import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { STORE_RPC } from "@corral/protocol";
import { connectBus, request, type Bus } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { up, SERVICES } from "./up.js";
import { runTask } from "./run.js";
import { startDemoModel } from "./demo-model.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const logger = createLogger({ service: "corral", level: process.env.LOG_LEVEL ?? "warn" });
const natsUrl = process.env.NATS_URL;
const natsPort = Number(process.env.CORRAL_NATS_PORT ?? 4222);
const out = (line: string) => void process.stdout.write(`${line}\n`);

const USAGE = `usage:
  corral up                 run the whole stack (nats-server, session-store, sandbox-manager, harness)
  corral run "<task>"       start a session for the task and follow it until it stops
options for run: --agent NAME (default corral-default), --model ID (default $CORRAL_MODEL or claude-sonnet-4-5)`;

async function connectOrExplain(): Promise<Bus> {
  try {
    return await connectBus({ servers: natsUrl ?? `nats://127.0.0.1:${natsPort}`, name: "corral-cli", requestTimeoutMs: 30_000, waitOnFirstConnect: false });
  } catch {
    process.stderr.write(`Corral is not running (no NATS at ${natsUrl ?? `nats://127.0.0.1:${natsPort}`}). Start it with: npm start\n`);
    process.exit(1);
  }
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function run(args: string[]): Promise<void> {
  const task = args.filter((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--")).join(" ");
  if (!task) throw new Error(USAGE);
  const bus = await connectOrExplain();
  await request(bus, STORE_RPC.agentsList, { limit: 1 }).catch(() => {
    process.stderr.write("The session-store does not answer. Is the stack up? Start it with: npm start\n");
    process.exit(1);
  });
  const result = await runTask(bus, task, { agentName: option(args, "--agent") ?? "corral-default", model: option(args, "--model") ?? process.env.CORRAL_MODEL ?? "claude-sonnet-4-5", environmentName: "corral-default" }, out);
  await bus.close();
  process.exit(result.last?.type === "session.status_idle" ? 0 : 1);
}

async function bringUp(): Promise<void> {
  const demo = !process.env.ANTHROPIC_API_KEY;
  const model = demo ? await startDemoModel() : null;
  const harnessEnv: Record<string, string> = model
    ? { ANTHROPIC_API_KEY: "demo", ANTHROPIC_BASE_URL: model.url }
    : { ANTHROPIC_API_KEY: process.env.ANTHROPIC_API_KEY!, ...(process.env.ANTHROPIC_BASE_URL ? { ANTHROPIC_BASE_URL: process.env.ANTHROPIC_BASE_URL } : {}) };
  const stack = await up({ root, natsUrl, natsPort, env: { harness: harnessEnv } }, logger);
  out(
    [
      "",
      "Corral is up.",
      `  NATS:      ${stack.natsUrl}  (JetStream data in .corral/nats unless NATS_URL was given)`,
      `  services:  ${SERVICES.join(", ")}`,
      demo ? `  model:     no ANTHROPIC_API_KEY, so a scripted demo model answers (${model!.url})` : "  model:     Anthropic API",
      `  try:       node packages/cli/bin/corral.mjs run "list the files in the workspace"`,
      "             python3 examples/python/submit_task.py --help",
      "  stop:      Ctrl-C",
      "",
    ].join("\n"),
  );
  const shutdown = async () => {
    await stack.stop();
    await model?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
  if (demo && process.env.CORRAL_DEMO !== "0") await demoTask();
}

/** In demo mode, one short task end to end, so the first run shows every layer working. */
async function demoTask(): Promise<void> {
  const bus = await connectOrExplain();
  for (let i = 0; i < 120; i++) {
    const ready = await request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }).then(() => true, () => false);
    if (ready) break;
    await sleep(500);
  }
  out("demo task:");
  await runTask(bus, "Say hello from a Corral sandbox", { agentName: "corral-demo", model: "demo", environmentName: "corral-default" }, (line) => out(`  ${line}`)).catch((err: unknown) =>
    out(`  demo task failed: ${err instanceof Error ? err.message : String(err)}`),
  );
  await bus.close();
}

async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === "up") return bringUp();
  if (command === "run") return run(args);
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

await main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
