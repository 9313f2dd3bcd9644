import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { apiClient, explain, keyFile } from "../api.js";
import type { CliContext } from "../context.js";
import { startDemoModel } from "../demo-model.js";
import type { KeyStore } from "../key-store.js";
import { runTask } from "../run.js";
import { up, SERVICES } from "../up.js";
import { healthPorts, metricsLines } from "../health-ports.js";

/** What `corral up` is told by the environment (`main.ts` reads it). */
export interface UpConfig {
  /** Unset: a scripted demo model answers instead of the Anthropic API. */
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  /** Run one short task end to end once up, in demo mode (`CORRAL_DEMO=0` turns it off). */
  demoTask: boolean;
  /** The first service's health port (`CORRAL_HEALTH_PORT_BASE`); null: no health servers. */
  healthPortBase: number | null;
}

export interface RunningStack {
  natsUrl: string;
  /** The scripted demo model's URL; null when the Anthropic API answers. */
  modelUrl: string | null;
  /** Each service's health port (its `/metrics` is there). */
  healthPorts: ReturnType<typeof healthPorts>;
  natsReady(): Promise<void>;
  /** Stops every service and nats-server (SIGTERM, then SIGKILL after a grace period) and the demo model. */
  stop(): Promise<void>;
  /** SIGKILL to everything at once, for a second Ctrl-C. */
  kill(): void;
}

/** The key `corral up` prints: the one in .corral/api-key while it is still valid, else a new one. */
async function localKey(ctx: CliContext, keys: KeyStore): Promise<string> {
  const existing = ctx.target.key;
  if (existing && (await keys.isValid(existing))) return existing;
  const { key } = await keys.create("corral up");
  mkdirSync(dirname(keyFile(ctx.root)), { recursive: true });
  writeFileSync(keyFile(ctx.root), `${key}\n`, { mode: 0o600 });
  return key;
}

async function waitForApi(url: string): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return true;
    await sleep(500);
  }
  return false;
}

/** In demo mode, one short task end to end through the API, so the first run shows every layer working. */
async function demoTask(ctx: CliContext, key: string): Promise<void> {
  ctx.out("demo task:");
  await runTask(
    apiClient({ url: ctx.target.url, key }),
    "Say hello from a Corral sandbox",
    { agentName: "corral-demo", model: "demo", environmentName: "corral-default" },
    (line) => ctx.out(`  ${line}`),
  ).catch((err: unknown) => ctx.out(`  demo task failed: ${explain(err, ctx.target)}`));
}

function banner(ctx: CliContext, stack: RunningStack, key: string, api: boolean) {
  const { natsUrl, modelUrl } = stack;
  return [
    "",
    "Corral is up.",
    `  API:       ${ctx.target.url}  ${api ? "" : "(not answering yet; see the gateway's log)"}`,
    `  API key:   ${key}  (saved in .corral/api-key; more with: corral keys create)`,
    `  NATS:      ${natsUrl}  (JetStream data in .corral/nats unless NATS_URL was given)`,
    ...(ctx.natsAuthDir
      ? [
          `             one user per service; task publishers: user tasks, password in ${ctx.natsAuthDir}/tasks.password`,
        ]
      : []),
    `  services:  ${SERVICES.join(", ")}  (logs: .corral/logs/<service>.log; errors and restarts show here)`,
    ...metricsLines(stack.healthPorts),
    modelUrl
      ? `  model:     no ANTHROPIC_API_KEY, so a scripted demo model answers (${modelUrl})`
      : "  model:     Anthropic API",
    `  try:       npm run corral -- run "list the files in the workspace"`,
    `             curl -s -H "x-api-key: $(cat .corral/api-key)" ${ctx.target.url}/v1/sessions`,
    "             examples/curl/session.sh, examples/python/",
    "  stop:      Ctrl-C",
    "",
  ].join("\n");
}

/** `corral up`, first half: nats-server and every service under a supervisor (and the demo model). */
export async function startStack(ctx: CliContext, config: UpConfig): Promise<RunningStack> {
  const model = config.anthropicApiKey ? null : await startDemoModel();
  const harnessEnv: Record<string, string> = model
    ? { ANTHROPIC_API_KEY: "demo", ANTHROPIC_BASE_URL: model.url }
    : {
        ANTHROPIC_API_KEY: config.anthropicApiKey!,
        ...(config.anthropicBaseUrl ? { ANTHROPIC_BASE_URL: config.anthropicBaseUrl } : {}),
      };
  const stack = await up(
    {
      root: ctx.root,
      natsUrl: ctx.natsUrl,
      natsPort: ctx.natsPort,
      natsAuthDir: ctx.natsAuthDir,
      // Ctrl-C leaves no container behind (the workspace volumes stay for the next `corral up`).
      env: { harness: harnessEnv, "sandbox-manager": { SANDBOX_REMOVE_ON_STOP: "1" } },
      healthPorts: healthPorts(config.healthPortBase),
    },
    { logger: ctx.logger, report: ctx.out },
  );
  return {
    natsUrl: stack.natsUrl,
    modelUrl: model?.url ?? null,
    healthPorts: healthPorts(config.healthPortBase),
    natsReady: () => stack.natsReady(),
    stop: async () => {
      await stack.stop();
      await model?.close();
    },
    kill: () => stack.kill(),
  };
}

/** `corral up`, second half: an API key, the banner, and in demo mode one task end to end. */
export async function welcome(ctx: CliContext, keys: KeyStore, stack: RunningStack, config: UpConfig) {
  await stack.natsReady();
  const key = await localKey(ctx, keys);
  const api = await waitForApi(ctx.target.url);
  ctx.out(banner(ctx, stack, key, api));
  if (stack.modelUrl && config.demoTask && api) await demoTask(ctx, key);
}
