import { shiftWindow, windowAfterEarlier } from "./row-window.js";
import type { DeltaFrame, LogEvent } from "./types.js";

/** A message the model is still writing (from the stream's deltas); replaced by the stored event. */
export interface Draft {
  id: string;
  text: string;
}

export interface LogState {
  /** A contiguous window of the log, by position. */
  events: LogEvent[];
  /** Cursor of the page before `events[0]` (newest first), or null when the window starts at 0. */
  earlier: string | null;
  /** Cursor of the page after the window's last event (oldest first) when it does not reach the end. */
  later: string | null;
  /** The position the reader jumped to (shown and marked), or null when following the end. */
  focus: number | null;
  drafts: Draft[];
  /** The position the rows on the page end at, when the reader has paged back beyond MAX_ROWS; null: the end. */
  shownTo: number | null;
  loading: boolean;
  live: boolean;
  error: string | null;
}

export const EMPTY_LOG: LogState = {
  events: [],
  earlier: null,
  later: null,
  focus: null,
  drafts: [],
  shownTo: null,
  loading: true,
  live: false,
  error: null,
};

export type LogAction =
  | { type: "loaded"; events: LogEvent[]; earlier: string | null }
  | { type: "earlier"; events: LogEvent[]; earlier: string | null }
  | { type: "jumped"; events: LogEvent[]; earlier: string | null; later: string | null; focus: number }
  | { type: "later"; events: LogEvent[]; later: string | null }
  | { type: "reset" }
  | { type: "event"; event: LogEvent }
  | { type: "shift"; direction: "up" | "down" }
  | { type: "delta"; frame: DeltaFrame }
  | { type: "live"; live: boolean }
  | { type: "error"; error: string | null };

/** Events of both lists, once each, in log order. */
export function mergeEvents(a: LogEvent[], b: LogEvent[]): LogEvent[] {
  const last = a.at(-1);
  if (last && b.every((e) => e.seq > last.seq)) return [...a, ...b];
  const bySeq = new Map<number, LogEvent>();
  for (const e of a) bySeq.set(e.seq, e);
  for (const e of b) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}

function applyDelta(drafts: Draft[], frame: DeltaFrame): Draft[] {
  if (frame.type === "event_start" && frame.event) {
    const id = frame.event.id;
    return drafts.some((d) => d.id === id) ? drafts : [...drafts, { id, text: "" }];
  }
  if (frame.type === "event_delta" && frame.event_id && frame.delta)
    return drafts.map((d) =>
      d.id === frame.event_id ? { ...d, text: d.text + (frame.delta?.content.text ?? "") } : d,
    );
  return drafts;
}

const ENDS_DRAFTS = new Set([
  "span.model_request_end",
  "session.status_idle",
  "session.error",
  "session.status_terminated",
]);

function addEvent(state: LogState, event: LogEvent): LogState {
  const last = state.events.at(-1);
  if (last && event.seq <= last.seq) return state;
  // A draft ends as its stored event, or with the model request (an interrupt or an error drops it).
  const drafts = ENDS_DRAFTS.has(event.type) ? [] : state.drafts.filter((d) => d.id !== event.id);
  return { ...state, events: [...state.events, event], drafts };
}

export function logReducer(state: LogState, action: LogAction): LogState {
  switch (action.type) {
    case "loaded":
      return {
        ...state,
        events: mergeEvents(action.events, state.events),
        earlier: action.earlier,
        loading: false,
      };
    case "earlier": {
      const events = mergeEvents(action.events, state.events);
      return {
        ...state,
        events,
        earlier: action.earlier,
        shownTo: windowAfterEarlier(events, state.shownTo),
      };
    }
    case "jumped":
      // A window somewhere else in the log: what was loaded is dropped, never merged with it.
      return {
        ...EMPTY_LOG,
        events: action.events,
        earlier: action.earlier,
        later: action.later,
        focus: action.focus,
        loading: false,
      };
    case "later":
      return { ...state, events: mergeEvents(state.events, action.events), later: action.later };
    case "reset":
      return EMPTY_LOG;
    case "shift":
      return { ...state, shownTo: shiftWindow(state.events, state.shownTo, action.direction) };
    case "event":
      return addEvent(state, action.event);
    case "delta":
      return { ...state, drafts: applyDelta(state.drafts, action.frame) };
    case "live":
      return { ...state, live: action.live, error: action.live ? null : state.error };
    case "error":
      return { ...state, error: action.error, loading: false };
  }
}

/** Tool calls the agent waits on: the last `requires_action` idle's ids, less those answered since. */
export function pendingActions(events: LogEvent[]): Set<string> {
  let pending = new Set<string>();
  for (const e of events) {
    if (e.type === "session.status_idle") {
      const reason = e.stop_reason as { type: string; event_ids?: string[] } | undefined;
      pending = new Set(reason?.type === "requires_action" ? (reason.event_ids ?? []) : []);
    } else if (e.type === "user.tool_confirmation") pending.delete(String(e.tool_use_id));
    else if (e.type === "user.custom_tool_result") pending.delete(String(e.custom_tool_use_id));
  }
  return pending;
}
