import {
  inCreatedAtRange,
  isId,
  type EventsListRequest,
  type EventsListResponse,
  type SessionEvent,
} from "@corral/protocol";
import { readSlice, type SessionLog } from "@corral/bus";
import type { StoreState } from "../state.js";
import { storedSession } from "../sessions/stored-session.js";
import { existingThread } from "../threads/stored-thread.js";

/** Positions read at once when a filter the log's reader does not know (a time range) is applied. */
const FILTER_WINDOW = 1000;

/** The query's filters as one test: types, and `created_at` against each event's `processed_at`. */
function keeper(query: EventsListRequest): (event: SessionEvent) => boolean {
  const types = query.types?.length ? new Set<string>(query.types) : null;
  return (event) =>
    (!types || types.has(event.type)) && inCreatedAtRange(query.created_at, event.processed_at);
}

/** A positional slice in either direction; `from` defaults to the first (asc) or last (desc) event. */
export async function readEvents(log: SessionLog, query: EventsListRequest): Promise<EventsListResponse> {
  if (query.order === "desc") return readEventsBackwards(log, query);
  if (query.created_at) return readEventsFiltered(log, query);
  const slice = await readSlice(log, query.session_id, {
    from: query.from ?? 0,
    limit: query.limit,
    types: query.types,
  });
  return { data: slice.events, next_from: slice.nextFrom, last_seq: slice.head?.lastSeq ?? -1 };
}

/**
 * Oldest first with a time range: windows read forwards, each event tested, until the page is full. Times are
 * tested one by one rather than searched for, so a clock that stepped back between two appends cannot hide
 * an event; the cost is the span scanned.
 */
async function readEventsFiltered(log: SessionLog, query: EventsListRequest): Promise<EventsListResponse> {
  const keep = keeper(query);
  const data: SessionEvent[] = [];
  let from: number | null = query.from ?? 0;
  let lastSeq = -1;
  while (from !== null) {
    const window = await readSlice(log, query.session_id, { from, limit: FILTER_WINDOW });
    lastSeq = window.head?.lastSeq ?? -1;
    for (const event of window.events) {
      if (!keep(event)) continue;
      data.push(event);
      if (data.length === query.limit)
        return { data, next_from: event.seq < lastSeq ? event.seq + 1 : null, last_seq: lastSeq };
    }
    from = window.nextFrom;
  }
  return { data, next_from: null, last_seq: lastSeq };
}

/** Newest first: windows of `limit` positions read backwards from `from` until the page is full. */
async function readEventsBackwards(log: SessionLog, query: EventsListRequest): Promise<EventsListResponse> {
  const head = await log.head(query.session_id);
  if (!head) return { data: [], next_from: null, last_seq: -1 };
  const keep = keeper(query);
  let end = Math.min(query.from ?? head.lastSeq, head.lastSeq);
  const data: SessionEvent[] = [];
  while (end >= 0 && data.length < query.limit) {
    const start = Math.max(0, end - query.limit + 1);
    const window = await readSlice(log, query.session_id, { from: start, limit: end - start + 1 });
    const wanted = window.events.filter(keep).reverse();
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
