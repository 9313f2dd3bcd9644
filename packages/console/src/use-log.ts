import { useCallback, useEffect, useReducer, useRef } from "react";
import { api, ApiError, query, type Page } from "./api.js";
import { EMPTY_LOG, logReducer, type LogAction, type LogState } from "./log-state.js";
import { rowRange } from "./row-window.js";
import { readEventStream, type SseFrame } from "./sse.js";
import type { DeltaFrame, LogEvent } from "./types.js";

/** Events fetched per page: the newest page first, earlier ones as the reader scrolls up. */
export const PAGE_EVENTS = 200;
const RECONNECT_MS = 1000;

export interface LogPaths {
  /** `…/events`: the positional list. */
  events: string;
  /** The SSE stream of the same log. */
  stream: string;
}

const newestFirst = (order: "desc" | "asc", page?: string) => query({ limit: PAGE_EVENTS, order, page });

function onFrame(frame: SseFrame, dispatch: (a: LogAction) => void, lastSeq: { current: number }) {
  if (frame.event === "ping" || !frame.data) return;
  const data = JSON.parse(frame.data) as LogEvent | DeltaFrame;
  if (frame.event === "event_start" || frame.event === "event_delta")
    return dispatch({ type: "delta", frame: data as DeltaFrame });
  const event = data as LogEvent;
  if (typeof event.seq !== "number") return;
  lastSeq.current = Math.max(lastSeq.current, event.seq);
  dispatch({ type: "event", event });
}

/** Follows the stream from `lastSeq`, reconnecting (with `Last-Event-ID`) until aborted. */
async function follow(
  paths: LogPaths,
  signal: AbortSignal,
  dispatch: (a: LogAction) => void,
  lastSeq: { current: number },
) {
  while (!signal.aborted) {
    try {
      const from = lastSeq.current >= 0 ? lastSeq.current : null;
      dispatch({ type: "live", live: true });
      await readEventStream(`${paths.stream}${query({ event_deltas: ["agent.message"] })}`, {
        lastEventId: from,
        signal,
        onFrame: (frame) => onFrame(frame, dispatch, lastSeq),
      });
    } catch (error) {
      if (signal.aborted) return;
      const status = error instanceof ApiError ? error.status : 0;
      // A log that is gone or a key that is refused does not come back by retrying.
      const final = status === 404 || status === 401 || status === 403;
      dispatch({
        type: "error",
        error: `live stream: ${(error as Error).message}${final ? "" : "; reconnecting"}`,
      });
      if (final) return dispatch({ type: "live", live: false });
    }
    dispatch({ type: "live", live: false });
    await new Promise((resolve) => setTimeout(resolve, RECONNECT_MS));
  }
}

/** A log's newest page, then live events from the stream, and earlier pages on demand. */
export function useLog(paths: LogPaths): LogState & { loadEarlier: () => void; showNewer: () => void } {
  const [state, dispatch] = useReducer(logReducer, EMPTY_LOG);
  const loadingEarlier = useRef(false);
  const current = useRef(state);
  current.current = state;

  useEffect(() => {
    const abort = new AbortController();
    const lastSeq = { current: -1 };
    const start = async () => {
      const page = await api<Page<LogEvent>>(`${paths.events}${newestFirst("desc")}`, {
        signal: abort.signal,
      });
      const events = [...page.data].reverse();
      lastSeq.current = events.at(-1)?.seq ?? -1;
      dispatch({ type: "loaded", events, earlier: page.next_page });
      await follow(paths, abort.signal, dispatch, lastSeq);
    };
    start().catch((error: unknown) => {
      if (!abort.signal.aborted) dispatch({ type: "error", error: (error as Error).message });
    });
    return () => abort.abort();
  }, [paths.events, paths.stream]);

  const loadEarlier = useCallback(() => {
    const { events, shownTo, earlier: cursor } = current.current;
    // Rows loaded before but left out of the page come first; the API is asked only past them.
    if (rowRange(events, shownTo)[0] > 0) return dispatch({ type: "shift", direction: "up" });
    if (!cursor || loadingEarlier.current) return;
    loadingEarlier.current = true;
    api<Page<LogEvent>>(`${paths.events}${newestFirst("desc", cursor)}`)
      .then((page) =>
        dispatch({ type: "earlier", events: [...page.data].reverse(), earlier: page.next_page }),
      )
      .catch((error: unknown) => dispatch({ type: "error", error: (error as Error).message }))
      .finally(() => {
        loadingEarlier.current = false;
      });
  }, [paths.events]);

  const showNewer = useCallback(() => dispatch({ type: "shift", direction: "down" }), []);
  return { ...state, loadEarlier, showNewer };
}
