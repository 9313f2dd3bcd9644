import { isId, type EventsListRequest, type EventsListResponse, type SessionEvent } from "@corral/protocol";
import { readSlice, type SessionLog } from "@corral/bus";
import type { StoreState } from "../state.js";
import { storedSession } from "../sessions/stored-session.js";
import { existingThread } from "../threads/stored-thread.js";

/** A positional slice in either direction; `from` defaults to the first (asc) or last (desc) event. */
export async function readEvents(log: SessionLog, query: EventsListRequest): Promise<EventsListResponse> {
  if (query.order === "asc") {
    const slice = await readSlice(log, query.session_id, {
      from: query.from ?? 0,
      limit: query.limit,
      types: query.types,
    });
    return { data: slice.events, next_from: slice.nextFrom, last_seq: slice.head?.lastSeq ?? -1 };
  }
  return readEventsBackwards(log, query);
}

/** Newest first: windows of `limit` positions read backwards from `from` until the page is full. */
async function readEventsBackwards(log: SessionLog, query: EventsListRequest): Promise<EventsListResponse> {
  const head = await log.head(query.session_id);
  if (!head) return { data: [], next_from: null, last_seq: -1 };
  let end = Math.min(query.from ?? head.lastSeq, head.lastSeq);
  const data: SessionEvent[] = [];
  while (end >= 0 && data.length < query.limit) {
    const start = Math.max(0, end - query.limit + 1);
    const window = await readSlice(log, query.session_id, { from: start, limit: end - start + 1 });
    const wanted = window.events
      .filter((e) => !query.types || query.types.includes(e.type as never))
      .reverse();
    for (const event of wanted) {
      if (data.length === query.limit) break;
      data.push(event);
    }
    end = start - 1;
    if (data.length === query.limit) end = (data[data.length - 1]?.seq ?? 0) - 1;
  }
  return { data, next_from: end >= 0 ? end : null, last_seq: head.lastSeq };
}

/** `events.list` on a session's or a thread's log, which must exist. */
export async function listEvents(state: StoreState, query: EventsListRequest): Promise<EventsListResponse> {
  const logId = query.session_id;
  await (isId("thread", logId) ? existingThread(state, logId) : storedSession(state, logId));
  return readEvents(state.log, query);
}
