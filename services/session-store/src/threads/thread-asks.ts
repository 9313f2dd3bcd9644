import type { ClientEventInput, EventId, SessionEventInput, SessionId, ThreadId } from "@corral/protocol";
import type { StoreState } from "../state.js";

const askKey = (sessionId: SessionId, eventId: EventId) => `ask.${sessionId}.${eventId}`;

/** The tool-use event an answer is for, if the event is an answer. */
export function answeredEventId(event: {
  type: string;
  tool_use_id?: EventId;
  custom_tool_use_id?: EventId;
}): EventId | null {
  if (event.type === "user.tool_confirmation" || event.type === "user.tool_result")
    return event.tool_use_id ?? null;
  if (event.type === "user.custom_tool_result") return event.custom_tool_use_id ?? null;
  return null;
}

/** A sub-agent's questions (tool uses waiting for the client), remembered so that answers find their thread. */
export async function rememberAsks(
  state: StoreState,
  sessionId: SessionId,
  threadId: ThreadId,
  eventIds: readonly EventId[],
): Promise<void> {
  for (const id of eventIds) await state.buckets.threadKeys.put(askKey(sessionId, id), threadId);
}

async function askingThread(
  state: StoreState,
  sessionId: SessionId,
  eventId: EventId,
): Promise<ThreadId | null> {
  const entry = await state.buckets.threadKeys.get(askKey(sessionId, eventId)).catch(() => null);
  return entry?.value ?? null;
}

/** Client answers to a sub-agent's questions, marked with the thread that asked (others unchanged). */
export async function routeAnswers(
  state: StoreState,
  sessionId: SessionId,
  events: readonly ClientEventInput[],
): Promise<SessionEventInput[]> {
  const out: SessionEventInput[] = [];
  for (const event of events) {
    const asked = answeredEventId(event);
    const threadId = asked ? await askingThread(state, sessionId, asked) : null;
    out.push(threadId ? ({ ...event, session_thread_id: threadId } as SessionEventInput) : event);
  }
  return out;
}
