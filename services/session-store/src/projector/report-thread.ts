import type { SessionEvent, SessionEventInput } from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredThread } from "../records/stored-records.js";
import { askClient } from "./ask-client.js";
import { replyOf } from "./thread-history.js";

type EndEvent = Extract<SessionEvent, { type: "session.status_idle" | "session.status_terminated" }>;

/** A thread's end of turn, as its session sees it: the status, and the thread's reply (which wakes the coordinator). */
async function turnEnded(
  state: StoreState,
  thread: StoredThread,
  event: EndEvent,
): Promise<SessionEventInput[]> {
  const { id: threadId, agent } = thread.record;
  const fields = { session_thread_id: threadId, agent_name: agent.name };
  const reply =
    event.type === "session.status_terminated"
      ? "(the thread terminated)"
      : await replyOf(state, threadId, event.seq);
  return [
    event.type === "session.status_idle"
      ? { type: "session.thread_status_idle", ...fields, stop_reason: event.stop_reason }
      : { type: "session.thread_status_terminated", ...fields },
    {
      type: "agent.thread_message_received",
      from_session_thread_id: threadId,
      from_agent_name: agent.name,
      content: [{ type: "text", text: reply }],
      thread_seq: event.seq,
    },
  ];
}

/** What the session's log says about one thread event; null when it says nothing. */
async function reportOf(
  state: StoreState,
  thread: StoredThread,
  event: SessionEvent,
): Promise<SessionEventInput[] | null> {
  const fields = { session_thread_id: thread.record.id, agent_name: thread.record.agent.name };
  switch (event.type) {
    case "session.status_running":
      return [{ type: "session.thread_status_running", ...fields }];
    case "session.status_rescheduled":
      return [{ type: "session.thread_status_rescheduled", ...fields }];
    case "session.status_idle":
    case "session.status_terminated":
      return turnEnded(state, thread, event);
    default:
      return null;
  }
}

/**
 * Reports a thread's status changes to its session's log (`session.thread_status_*`, and its reply as
 * `agent.thread_message_received`), each under the key `thr.<thread event id>`.
 */
export async function reportThreadEvents(
  state: StoreState,
  thread: StoredThread,
  events: readonly SessionEvent[],
): Promise<void> {
  for (const event of events) {
    if (event.type === "session.status_idle" && event.stop_reason.type === "requires_action") {
      await askClient(state, thread, { seq: event.seq, id: event.id, eventIds: event.stop_reason.event_ids });
      continue;
    }
    const out = await reportOf(state, thread, event);
    if (out)
      await state.writer.append({
        sessionId: thread.record.session_id,
        events: out,
        idempotencyKey: `thr.${event.id}`,
      });
  }
}
