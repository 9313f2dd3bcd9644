import type { Bus } from "@corral/bus";
import { createLogger, silentLogger, type Logger } from "@corral/logger";

/** An in-process service's logger in a test: silent, unless TEST_LOG names a level to see its logs at. */
export function testLogger(service: string): Logger {
  const level = process.env.TEST_LOG;
  return level ? createLogger({ service, level }) : silentLogger();
}

/** The `close` of an in-process service on its own connection: stop the service, then close the connection. */
export function stopThenClose(service: { stop(): Promise<void> }, bus: Bus): () => Promise<void> {
  return async () => {
    await service.stop();
    await bus.close();
  };
}
