import {
  CorralError,
  type ClientEventInput,
  type EventsAppendResponse,
  type EventsSendRequest,
  type SessionId,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { appendToLog } from "../append.js";
import { checkSessionTakesEvents } from "../gate.js";
import { forwardToThreads } from "../threads/forward-to-threads.js";
import { storedThread } from "../threads/stored-thread.js";
import { routeAnswers } from "../threads/thread-asks.js";

/** A send naming a thread that is not the session's is refused before anything is stored. */
async function checkNamedThreads(
  state: StoreState,
  sessionId: SessionId,
  events: readonly ClientEventInput[],
): Promise<void> {
  for (const event of events) {
    const named = "session_thread_id" in event ? event.session_thread_id : null;
    if (!named) continue;
    const thread = await storedThread(state, named);
    if (!thread || thread.record.session_id !== sessionId)
      throw new CorralError("INVALID_REQUEST", `thread ${named} is not a thread of session ${sessionId}`);
  }
}

/** `events.send`: client events into a session's log; they wake it, and reach the threads they concern. */
export async function sendEvents(state: StoreState, req: EventsSendRequest): Promise<EventsAppendResponse> {
  await checkSessionTakesEvents(state, req.session_id, "client");
  await checkNamedThreads(state, req.session_id, req.events);
  // Answers to a sub-agent's questions are stored with the thread that asked, and sent on to it.
  const routed = await routeAnswers(state, req.session_id, req.events);
  const events = await appendToLog(state, {
    sessionId: req.session_id,
    events: routed,
    idempotencyKey: req.idempotency_key,
  });
  // Interrupts and answers reach the threads (the projector does it again, idempotently, if this replica dies here).
  await forwardToThreads(state, req.session_id, events);
  return { events };
}
