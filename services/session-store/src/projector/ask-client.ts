import type { EventId, SessionEvent, SessionEventInput } from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredThread } from "../records/stored-records.js";
import { rememberAsks } from "../threads/thread-asks.js";
import { eventsBefore } from "./thread-history.js";

/** The thread's events with these ids, oldest first, found walking back from `idleSeq`. */
async function findAsks(
  state: StoreState,
  thread: StoredThread,
  idleSeq: number,
  eventIds: readonly EventId[],
) {
  const wanted = new Set(eventIds);
  const asks: SessionEvent[] = [];
  for await (const event of eventsBefore(state, thread.record.id, idleSeq)) {
    if (wanted.has(event.id)) asks.unshift(event);
    if (asks.length === wanted.size) break;
  }
  return asks;
}

/**
 * A sub-agent waits for the client (a custom tool, or a confirmation): its questions are posted to the
 * session's log with the same event ids and `session_thread_id`, so a client following the session sees
 * them and answers as it would the coordinator's. The coordinator keeps waiting for the thread.
 */
export async function askClient(
  state: StoreState,
  thread: StoredThread,
  idle: { seq: number; id: EventId; eventIds: readonly EventId[] },
): Promise<void> {
  const { id: threadId, session_id: sessionId } = thread.record;
  const asks = await findAsks(state, thread, idle.seq, idle.eventIds);
  await rememberAsks(
    state,
    sessionId,
    threadId,
    asks.map((e) => e.id),
  );
  const copies = asks.map(
    ({ id: _id, seq: _seq, processed_at: _at, ...rest }) =>
      ({ ...rest, session_thread_id: threadId }) as SessionEventInput,
  );
  const status: SessionEventInput = {
    type: "session.thread_status_idle",
    session_thread_id: threadId,
    agent_name: thread.record.agent.name,
    stop_reason: { type: "requires_action", event_ids: idle.eventIds.slice() },
  };
  await state.writer.append({
    sessionId,
    events: [status, ...copies],
    ids: [undefined, ...asks.map((e) => e.id)],
    idempotencyKey: `thr.${idle.id}`,
  });
}
