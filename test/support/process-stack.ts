import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bus } from "@corral/bus";
import {
  freePort,
  startScriptedModel,
  startSystem,
  untilHealthy,
  type ScriptedModel,
  type ServiceProcess,
  type TestSystem,
} from "@corral/testing";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";

export const SERVICES = [
  "session-store",
  "credential-proxy",
  "sandbox-manager",
  "harness",
  "gateway",
] as const;
export type Service = (typeof SERVICES)[number];

/** Every service as a process with its health server, on one nats-server, one sandbox host, one model. */
export interface ProcessStack {
  system: TestSystem;
  bus: Bus;
  model: ScriptedModel;
  /** An API key for the gateway at `api`. */
  key: string;
  api: string;
  /** Where each service's health server (`/healthz`, `/metrics`) listens; a new harness gets a new one. */
  healthPorts: Record<Service, number>;
  harness: ServiceProcess;
  /** Starts another harness (after a kill) and resolves once it is healthy. */
  spawnHarness(): Promise<ServiceProcess>;
  /** The sandbox-manager's process; `spawnManager` starts another on the same host (after a kill). */
  manager: ServiceProcess;
  spawnManager(): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * Starts the stack: `env` is added to every service's environment (e.g. the OTLP exporter's settings),
 * `harnessEnv` to the harness's. Resolves once every service and the API answer.
 */
export async function startProcessStack(
  name: string,
  env: Record<string, string> = {},
  harnessEnv: Record<string, string> = {},
): Promise<ProcessStack> {
  const system = await startSystem(`${name}-client`);
  const model = await startScriptedModel();
  const key = (await createApiKey(await openKeyBucket(system.bus), name)).key;
  const dir = mkdtempSync(join(tmpdir(), `corral-${name}-`));
  const host = `host-${randomBytes(3).toString("hex")}`;
  const healthPorts = {} as Record<Service, number>;
  for (const service of SERVICES) healthPorts[service] = await freePort();
  const gatewayPort = await freePort();
  const spawn = (service: Service, more: Record<string, string>) =>
    system.spawn(service, { HEALTH_PORT: String(healthPorts[service]), LOG_LEVEL: "warn", ...env, ...more });
  spawn("session-store", { CORRAL_TASK_INTAKE: "0" });
  spawn("credential-proxy", {
    CORRAL_HOST_ID: host,
    EGRESS_PORT: String(await freePort()),
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  const spawnManager = async () => {
    const manager = spawn("sandbox-manager", {
      CORRAL_HOST_ID: host,
      SANDBOX_NETWORK: "corral-sandboxes-test",
      SANDBOX_WARM_POOL: "0",
      SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
      SANDBOX_STATE_DIR: join(dir, "manager"),
    });
    await untilHealthy(`http://127.0.0.1:${healthPorts["sandbox-manager"]}`, 60_000);
    return manager;
  };
  const manager = spawnManager();
  const spawnHarness = async () => {
    healthPorts.harness = await freePort();
    const brain = spawn("harness", {
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: model.url,
      ...harnessEnv,
    });
    await untilHealthy(`http://127.0.0.1:${healthPorts.harness}`, 60_000);
    return brain;
  };
  const harness = await spawnHarness();
  const firstManager = await manager;
  spawn("gateway", { GATEWAY_PORT: String(gatewayPort) });
  const api = `http://127.0.0.1:${gatewayPort}`;
  for (const service of SERVICES) await untilHealthy(`http://127.0.0.1:${healthPorts[service]}`, 60_000);
  await untilHealthy(api);
  return {
    system,
    bus: system.bus,
    model,
    key,
    api,
    healthPorts,
    harness,
    spawnHarness,
    manager: firstManager,
    spawnManager,
    async stop() {
      await system.stop();
      await model.close();
      await removeTestContainers();
    },
  };
}
