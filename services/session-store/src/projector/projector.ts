import { LOG_HEADERS, PROJECTOR_CONSUMER, STREAMS, SUBJECTS } from "@corral/protocol";
import { consumeWorkQueue, type WorkItem, type WorkLoop } from "@corral/bus";
import { bounded, contextFrom, inSpan, withContext } from "@corral/tracing";
import type { StoreState } from "../state.js";
import { projectBatch } from "./project-batch.js";

const RETRY_MS = 500;

/**
 * Follows every log and applies what appends imply: wakes for user events, the folded session and thread
 * records, and a thread's status reported to its session's log. Writers that append directly (the
 * harness) rely on it, and it closes the gap when a store dies between an append and its side effects.
 * Every effect is idempotent, so the RPC path and the projector may both apply it.
 */
export function startProjector(state: StoreState): Promise<WorkLoop> {
  const options = {
    stream: STREAMS.sessions,
    consumer: PROJECTOR_CONSUMER,
    filterSubject: SUBJECTS.logAll,
    ackWaitMs: 30_000,
    maxAckPending: 10_000,
    batch: 512,
    onStop: "finish" as const,
    // Logs are projected side by side, each log's batches in order: a fold stuck on one bucket during a
    // leader election holds back only its own log's later statuses.
    concurrency: 16,
    orderKey: (item: WorkItem) => item.subject,
  };
  return consumeWorkQueue(state.bus, options, async (item) => {
    try {
      // In the trace of the append that stored the batch (its message carries the trace context).
      const attributes = bounded({
        "messaging.destination.name": item.subject,
        "corral.event_types": item.header(LOG_HEADERS.types),
      });
      await withContext(contextFrom(item.header), () =>
        inSpan("session-store project", { attributes }, () => projectBatch(state, item)),
      );
      return "ack";
    } catch (err) {
      state.logger.warn({ err, subject: item.subject }, "projection failed; will retry");
      return { retryInMs: RETRY_MS };
    }
  });
}
