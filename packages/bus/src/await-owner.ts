import { JetStreamApiError } from "@nats-io/jetstream";
import { CorralError } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { retrying } from "./retry.js";
import { bucketFailure } from "./retrying-bucket.js";

/** 10059: stream not found (yet). */
const notThereYet = (error: unknown) => error instanceof JetStreamApiError && error.code === 10059;

/** 10005: no suitable peers for placement: a cluster whose nodes have not all joined JetStream yet. */
const peersNotJoined = (error: unknown) => error instanceof JetStreamApiError && error.code === 10005;

/**
 * Opens a stream another service owns. Until its owner has created it, a reader (which may not create
 * it) waits, with capped backoff and a warning now and then; any other failure is thrown.
 */
export function untilOwnerCreated<T>(bus: Bus, what: string, open: () => Promise<T>): Promise<T> {
  return retrying(
    async () => {
      try {
        return await open();
      } catch (error) {
        if (!notThereYet(error) || bus.nc.isClosed()) throw error;
        throw new CorralError("UNAVAILABLE", `${what} is not created yet`, { cause: error });
      }
    },
    {
      deadlineMs: Number.POSITIVE_INFINITY,
      maxDelayMs: 2000,
      // Only the owner's absence is waited out here, never another failure that happens to be retryable.
      retryOn: (error) => notThereYet(error.cause),
      onRetry: (err, attempt) => {
        if (attempt === 1 || attempt % 20 === 0)
          bus.logger?.warn({ what, attempt, err }, "waiting for its owning service to create it");
      },
    },
  );
}

/**
 * A start-up step against JetStream (create or look up a stream, a bucket, a consumer: all idempotent),
 * repeated while JetStream cannot answer yet (a cluster electing its leaders, a server restarting) for
 * up to two minutes; any other failure is thrown at once.
 */
export function whileJetStreamStarts<T>(bus: Bus, what: string, step: () => Promise<T>): Promise<T> {
  return retrying(
    async () => {
      try {
        return await step();
      } catch (error) {
        if (peersNotJoined(error))
          throw new CorralError("UNAVAILABLE", `${what}: the cluster's nodes have not all joined yet`, {
            cause: error,
          });
        throw bucketFailure(error, what);
      }
    },
    {
      deadlineMs: 120_000,
      initialDelayMs: 200,
      maxDelayMs: 2000,
      onRetry: (err, attempt) => {
        if (attempt === 1 || attempt % 10 === 0)
          bus.logger?.warn({ what, attempt, err }, "JetStream not ready yet");
      },
    },
  );
}
