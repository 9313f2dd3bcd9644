import { busConfigFromEnv, connectBus, healthConfigFromEnv, serveHealth, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { collectServiceMetrics } from "@corral/metrics";
import { startTracing } from "@corral/tracing";
import { proxyConfigFromEnv } from "./config.js";
import { createCredentialProxy } from "./credential-proxy.js";

const logger = createLogger({ service: "credential-proxy", level: process.env.LOG_LEVEL });
collectServiceMetrics("credential-proxy");
const tracing = await startTracing("credential-proxy", process.env);
const bus = await connectBus({ ...busConfigFromEnv(process.env, "credential-proxy"), logger });
const proxy = createCredentialProxy({ bus, logger, config: proxyConfigFromEnv(process.env) });
await proxy.start();

const health = healthConfigFromEnv(process.env);
if (health) await serveHealth(bus, { ...health, checks: [] });

stopOnSignals({
  bus,
  logger,
  service: "credential-proxy",
  stop: () => proxy.stop().finally(() => tracing.stop()),
});
