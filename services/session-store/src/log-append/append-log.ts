import {
  CorralError,
  STORE_QUEUE,
  STORE_RPC,
  type EventsAppendResponse,
  type LogAppendRequest,
} from "@corral/protocol";
import { serve } from "@corral/bus";
import type { StoreState } from "../state.js";
import type { Route } from "../routes.js";
import { openLeaseCheck, type LeaseCheck } from "./check-lease.js";
import { meteredAppend } from "../metrics.js";

/**
 * `log.append`: a runner's batch into the log it leases, at the position it expects. Exactly once under
 * retries: the first event's id is the batch's dedup key, so a re-sent request (its reply lost) is
 * answered with the events stored the first time, wherever the log has moved since. One append and, at
 * most once per lease TTL, one lease read: no fold or wake here (the projector does both, as it always
 * has for the runner's events), so the runner waits for one JetStream round trip and this hop.
 */
export async function appendLog(
  state: StoreState,
  leases: LeaseCheck,
  req: LogAppendRequest,
): Promise<EventsAppendResponse> {
  await leases.check(req.log_id, req.holder);
  const batch = {
    sessionId: req.log_id,
    events: req.events,
    ids: req.event_ids,
    expectedSeq: req.expected_seq,
    idempotencyKey: req.event_ids[0],
  };
  const events = await meteredAppend(state.writer, batch, "runner");
  if (events.some((e, i) => e.id !== req.event_ids[i]))
    throw new CorralError("CONFLICT", "another batch was stored under this batch's first event id", {
      retryable: false,
    });
  return { events };
}

/** The route: the lease bucket is opened on the first append (the harness, its owner, creates it). */
export const LOG_APPEND_ROUTE: Route = {
  subject: STORE_RPC.logAppend.subject,
  serve(state) {
    let leases: Promise<LeaseCheck> | null = null;
    const opened = () => {
      leases ??= openLeaseCheck(state.bus).catch((error: unknown) => {
        leases = null;
        throw error;
      });
      return leases;
    };
    return serve(state.bus, STORE_RPC.logAppend, async (req) => appendLog(state, await opened(), req), {
      queue: STORE_QUEUE,
    });
  },
};
