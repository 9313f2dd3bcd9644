import { busConfigFromEnv, connectBus } from "@corral/bus";
import { createLogger } from "@corral/logger";
import { storeConfigFromEnv } from "./config.js";
import { createSessionStore } from "./session-store.js";

const logger = createLogger({ service: "session-store", level: process.env.LOG_LEVEL });
const bus = await connectBus({ ...busConfigFromEnv(process.env, "session-store"), logger });
const store = createSessionStore({ bus, logger, config: storeConfigFromEnv(process.env) });
await store.start();

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "session-store stopping");
  await store.stop();
  await bus.close();
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
