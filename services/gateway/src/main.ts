import { busConfigFromEnv, connectBus, healthConfigFromEnv, serveHealth, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { collectServiceMetrics } from "@corral/metrics";
import { startTracing } from "@corral/tracing";
import { gatewayConfigFromEnv } from "./config.js";
import { createGateway } from "./gateway.js";

const logger = createLogger({ service: "gateway", level: process.env.LOG_LEVEL });
collectServiceMetrics("gateway");
const tracing = await startTracing("gateway", process.env);
const bus = await connectBus({ ...busConfigFromEnv(process.env, "gateway"), logger });
const gateway = createGateway({ bus, logger, config: gatewayConfigFromEnv(process.env) });
await gateway.start();

const health = healthConfigFromEnv(process.env);
if (health) await serveHealth(bus, { ...health, checks: [] });

stopOnSignals({ bus, logger, service: "gateway", stop: () => gateway.stop().finally(() => tracing.stop()) });
