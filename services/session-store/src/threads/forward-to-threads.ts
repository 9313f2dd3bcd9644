import type { SessionEvent, SessionEventInput, SessionId, ThreadId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { appendToLog } from "../append.js";
import { isActive, listThreads } from "./list-threads.js";
import { storedThread } from "./stored-thread.js";
import { answeredEventId } from "./thread-asks.js";

/** An answer stored with the thread that asked goes on to that thread's log. */
async function forwardAnswer(state: StoreState, event: SessionEvent, threadId: ThreadId): Promise<void> {
  const {
    id,
    seq: _seq,
    processed_at: _at,
    session_thread_id: _thread,
    ...answer
  } = event as SessionEvent & {
    session_thread_id: ThreadId;
  };
  await appendToLog(state, {
    sessionId: threadId,
    events: [answer as SessionEventInput],
    idempotencyKey: `fwd.${id}`,
  });
}

/** The threads an interrupt reaches: the one it names (if it is the session's), else every active one. */
async function interruptTargets(
  state: StoreState,
  sessionId: SessionId,
  named: ThreadId | null | undefined,
): Promise<ThreadId[]> {
  if (named) return (await storedThread(state, named))?.record.session_id === sessionId ? [named] : [];
  const threads = await listThreads(state, { session_id: sessionId, include_archived: false });
  return threads.filter(isActive).map((t) => t.id);
}

/**
 * Sends stored events of the session's log on to its threads: a `user.interrupt` to the thread it names
 * or to every active thread, an answer (confirmation, tool result) to the thread that asked. Idempotent:
 * each forward carries the key `fwd.<event id>`.
 */
export async function forwardToThreads(
  state: StoreState,
  sessionId: SessionId,
  events: readonly SessionEvent[],
): Promise<void> {
  for (const event of events) {
    const thread = "session_thread_id" in event ? event.session_thread_id : null;
    if (answeredEventId(event) && thread) {
      await forwardAnswer(state, event, thread);
      continue;
    }
    if (event.type !== "user.interrupt") continue;
    // In the thread's own log the interrupt is simply for it.
    for (const threadId of await interruptTargets(state, sessionId, event.session_thread_id))
      await appendToLog(state, {
        sessionId: threadId,
        events: [{ type: "user.interrupt" }],
        idempotencyKey: `fwd.${event.id}`,
      });
  }
}
