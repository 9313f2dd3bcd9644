import { join } from "node:path";
import Docker from "dockerode";
import { busConfigFromEnv, connectBus, healthConfigFromEnv, serveHealth, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { collectServiceMetrics } from "@corral/metrics";
import { startTracing } from "@corral/tracing";
import { managerConfigFromEnv } from "./config.js";
import { createDockerRuntime } from "./docker-runtime.js";
import { createSandboxManager } from "./sandbox-manager.js";
import { installExecutor } from "./executor-install.js";

const logger = createLogger({ service: "sandbox-manager", level: process.env.LOG_LEVEL });
collectServiceMetrics("sandbox-manager");
const tracing = await startTracing("sandbox-manager", process.env);
const config = managerConfigFromEnv(process.env);
const bus = await connectBus({ ...busConfigFromEnv(process.env, "sandbox-manager"), logger });
const docker = new Docker();
const runtime = createDockerRuntime(docker, {
  network: config.network,
  hostId: config.hostId,
  executorPath: installExecutor(config.executorPath, config.stateDir),
  extraLabels: config.extraLabels,
  diskMb: config.diskMb,
  imageDir: join(config.stateDir, "workspaces"),
  workspaceRoot: config.workspaceRoot,
});
const manager = createSandboxManager({ bus, runtime, logger, config });
await manager.start();

const health = healthConfigFromEnv(process.env);
if (health) await serveHealth(bus, { ...health, checks: [{ name: "docker", check: () => docker.ping() }] });

stopOnSignals({
  bus,
  logger,
  service: "sandbox-manager",
  stop: () => manager.stop().finally(() => tracing.stop()),
});
