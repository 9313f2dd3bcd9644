import type { EventsAppendRequest, EventsAppendResponse } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { appendToLog } from "../append.js";
import { checkLogTakesEvents } from "./writable-log.js";

/** `events.append`: any event, into a session's or a thread's log (the harness and other services). */
export async function appendEvents(
  state: StoreState,
  req: EventsAppendRequest,
): Promise<EventsAppendResponse> {
  await checkLogTakesEvents(state, req.session_id);
  const events = await appendToLog(state, {
    sessionId: req.session_id,
    events: req.events,
    expectedSeq: req.expected_seq,
    idempotencyKey: req.idempotency_key,
  });
  return { events };
}
