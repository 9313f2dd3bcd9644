import { setTimeout as sleep } from "node:timers/promises";
import { STREAMS, SUBJECTS, WAKE_CONSUMER } from "@corral/protocol";
import { ensureWorkConsumer, type Bus, type JsMsg } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { wakesRedelivered, wakesTaken } from "./metrics.js";

export interface WakeConsumerOptions {
  concurrency: number;
  ackWaitMs: number;
  busyRetryMs: number;
}

/**
 * Pulls wakes from the shared work-queue consumer, never more at once than this replica may run: a wake
 * is counted from the moment it is taken, not once its lease is held.
 */
export async function consumeWakes(
  deps: { bus: Bus; logger: Logger; handle(msg: JsMsg): Promise<void>; stopping: AbortSignal },
  options: WakeConsumerOptions,
): Promise<void> {
  const consumer = await ensureWorkConsumer(deps.bus, STREAMS.wake, WAKE_CONSUMER, {
    filterSubject: SUBJECTS.wakeAll,
    ackWaitMs: options.ackWaitMs,
    maxAckPending: 100_000,
  });
  let taken = 0;
  while (!deps.stopping.aborted) {
    const free = options.concurrency - taken;
    if (free <= 0) {
      await sleep(20);
      continue;
    }
    try {
      const batch = await consumer.fetch({ max_messages: free, expires: 1000 });
      for await (const msg of batch) {
        taken++;
        wakesTaken.inc();
        if (msg.info.deliveryCount > 1) wakesRedelivered.inc();
        void deps
          .handle(msg)
          .catch((err: unknown) => {
            deps.logger.error({ err, subject: msg.subject }, "wake handling failed");
            msg.nak(options.busyRetryMs);
          })
          .finally(() => taken--);
      }
    } catch (error) {
      if (deps.stopping.aborted) return;
      deps.logger.warn({ err: error }, "wake fetch failed; retrying");
      await sleep(500);
    }
  }
}
