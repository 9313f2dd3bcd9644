import Docker from "dockerode";
import { busConfigFromEnv, connectBus, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { managerConfigFromEnv } from "./config.js";
import { createDockerRuntime } from "./docker-runtime.js";
import { createSandboxManager } from "./sandbox-manager.js";

const logger = createLogger({ service: "sandbox-manager", level: process.env.LOG_LEVEL });
const config = managerConfigFromEnv(process.env);
const bus = await connectBus({ ...busConfigFromEnv(process.env, "sandbox-manager"), logger });
const runtime = createDockerRuntime(new Docker(), {
  network: config.network,
  hostId: config.hostId,
  executorPath: config.executorPath,
  extraLabels: config.extraLabels,
});
const manager = createSandboxManager({ bus, runtime, logger, config });
await manager.start();

stopOnSignals({ bus, logger, service: "sandbox-manager", stop: () => manager.stop() });
