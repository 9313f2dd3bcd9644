import { z } from "zod";
import { SessionEvent } from "./events.js";

/**
 * One message on `corral.log.<session_id>` holds one appended batch, so a batch is stored
 * atomically (nats-server 2.9 has no atomic multi-message publish) and costs one round trip.
 */
export const LogEnvelope = z.object({ events: z.array(SessionEvent).min(1) });
export type LogEnvelope = z.infer<typeof LogEnvelope>;

/** Headers on every log message, so a reader can skip a batch without parsing it. */
export const LOG_HEADERS = {
  firstSeq: "Corral-First-Seq",
  count: "Corral-Count",
  types: "Corral-Types",
} as const;

/** A position → stream-sequence checkpoint is kept every `LOG_INDEX_STRIDE` events. */
export const LOG_INDEX_STRIDE = 64;
