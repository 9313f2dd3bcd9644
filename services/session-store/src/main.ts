import { busConfigFromEnv, connectBus, healthConfigFromEnv, serveHealth, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { collectServiceMetrics } from "@corral/metrics";
import { startTracing } from "@corral/tracing";
import { storeConfigFromEnv } from "./config.js";
import { createSessionStore } from "./session-store.js";

const logger = createLogger({ service: "session-store", level: process.env.LOG_LEVEL });
collectServiceMetrics("session-store");
const tracing = await startTracing("session-store", process.env);
const bus = await connectBus({ ...busConfigFromEnv(process.env, "session-store"), logger });
const store = createSessionStore({ bus, logger, config: storeConfigFromEnv(process.env) });
await store.start();

const health = healthConfigFromEnv(process.env);
if (health) await serveHealth(bus, { ...health, checks: [] });

stopOnSignals({
  bus,
  logger,
  service: "session-store",
  stop: () => store.stop().finally(() => tracing.stop()),
});
