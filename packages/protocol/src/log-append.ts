import { z } from "zod";
import { EventId, LogId } from "./ids.js";
import { SessionEventInput } from "./events.js";

/**
 * A runner's append to the log it leases (`corral.api.store.log.append`): the session-store is the only
 * writer of `corral.log.>`, so the harness writes through it. The request carries everything that makes a
 * re-sent request (its reply lost) the same append: the position expected and the events' ids, chosen
 * before the first attempt. The store answers it with the events stored the first time.
 */
export const LogAppendRequest = z
  .object({
    log_id: LogId,
    /** The position the first event must get (the runner's view of the log); CONFLICT otherwise. */
    expected_seq: z.number().int().min(0),
    events: z.array(SessionEventInput).min(1).max(1000),
    /** One id per event, in order. */
    event_ids: z.array(EventId).min(1).max(1000),
    /** The lease holder asking; FORBIDDEN when the log's lease names another holder, or none. */
    holder: z.string().min(1).max(256),
  })
  .refine((r) => r.event_ids.length === r.events.length, "event_ids must name every event, in order")
  .refine((r) => new Set(r.event_ids).size === r.event_ids.length, "event_ids must be distinct");
export type LogAppendRequest = z.infer<typeof LogAppendRequest>;

/** An entry of `corral_leases`, keyed by log id: who runs the log, and until when (ms since the epoch). */
export const LeaseRecord = z.object({ holder: z.string().max(256), expires_at: z.number() });
export type LeaseRecord = z.infer<typeof LeaseRecord>;

/** One attempt of a log append; a store that died mid-append costs this, then the same request goes again. */
export const LOG_APPEND_ATTEMPT_MS = 3_000;
