import type { Logger } from "@corral/logger";
import type { Bus } from "./connect.js";

/**
 * For a service's `main.ts`: on SIGINT/SIGTERM stop the service, drain the connection and exit 0
 * (once, however many signals arrive).
 */
export function stopOnSignals(options: {
  bus: Bus;
  logger: Logger;
  service: string;
  stop: () => Promise<void>;
}): void {
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    options.logger.info({ signal, service: options.service }, "service stopping");
    await options.stop();
    await options.bus.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}
