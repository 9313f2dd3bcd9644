import type { SessionEvent, ThreadId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { readEvents } from "../events/list-events.js";

const PAGE = 100;
const MAX_BACK = 5000;

/** A thread's events before position `seq`, newest first, a page at a time (at most 5,000 back). */
export async function* eventsBefore(
  state: StoreState,
  threadId: ThreadId,
  seq: number,
): AsyncGenerator<SessionEvent> {
  for (let from: number | null = seq; from !== null && from >= 0 && seq - from < MAX_BACK; ) {
    const page = await readEvents(state.log, { session_id: threadId, from, limit: PAGE, order: "desc" });
    for (const event of page.data) if (event.seq < seq) yield event;
    from = page.next_from;
  }
}

/** The thread's last words in the turn that ended at `seq`: its last agent message after the input that started the turn. */
export async function replyOf(state: StoreState, threadId: ThreadId, seq: number): Promise<string> {
  for await (const event of eventsBefore(state, threadId, seq)) {
    if (event.type === "agent.message")
      return event.content.map((b) => (b.type === "text" ? b.text : "")).join("");
    if (event.type === "session.status_idle" || event.type === "user.message") break;
  }
  return "(the thread ended its turn without a message)";
}
