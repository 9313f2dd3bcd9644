import { setTimeout as sleep } from "node:timers/promises";
import { JetStreamApiError } from "@nats-io/jetstream";
import type { Bus } from "./connect.js";
import { backoffMs } from "./retry.js";

/** 10059: stream not found (yet). */
const notThereYet = (error: unknown) => error instanceof JetStreamApiError && error.code === 10059;

/**
 * Opens a stream another service owns. Until its owner has created it, a reader (which may not create
 * it) waits, with capped backoff and a warning now and then; any other failure is thrown.
 */
export async function untilOwnerCreated<T>(bus: Bus, what: string, open: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (!notThereYet(error) || bus.nc.isClosed()) throw error;
      if (attempt === 1 || attempt % 20 === 0)
        bus.logger?.warn({ what, attempt, err: error }, "waiting for its owning service to create it");
      await sleep(backoffMs(attempt, 100, 2000));
    }
  }
}
