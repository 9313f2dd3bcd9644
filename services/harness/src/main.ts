import { busConfigFromEnv, connectBus, healthConfigFromEnv, serveHealth, stopOnSignals } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { collectServiceMetrics } from "@corral/metrics";
import { startTracing } from "@corral/tracing";
import { harnessConfigFromEnv } from "./config.js";
import { createHarness } from "./harness.js";
import { createAnthropicModel } from "./anthropic-model.js";
import { createHands } from "./sandbox-client.js";
import { compacting, fullHistory } from "./context.js";

const logger = createLogger({ service: "harness", level: process.env.LOG_LEVEL });
collectServiceMetrics("harness");
const tracing = await startTracing("harness", process.env);
const config = harnessConfigFromEnv(process.env);
if (!process.env.ANTHROPIC_API_KEY) {
  logger.error("ANTHROPIC_API_KEY is not set");
  process.exit(2);
}
const bus = await connectBus({ ...busConfigFromEnv(process.env, "harness"), logger });
const model = createAnthropicModel({
  apiKey: process.env.ANTHROPIC_API_KEY,
  baseURL: process.env.ANTHROPIC_BASE_URL,
});
const strategy = config.contextStrategy === "compacting" ? compacting(config.compactAtTokens) : fullHistory();
const hands = createHands(bus, { retryUnavailableMs: config.retryUnavailableMs, logger });
const harness = createHarness({ bus, logger, config, model, hands, strategy });
await harness.start();

const health = healthConfigFromEnv(process.env);
if (health) await serveHealth(bus, { ...health, checks: [] });

stopOnSignals({ bus, logger, service: "harness", stop: () => harness.stop().finally(() => tracing.stop()) });
