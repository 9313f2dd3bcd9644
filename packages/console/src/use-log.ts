import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { ApiError, query } from "./api.js";
import { EMPTY_LOG, logReducer, type LogAction, type LogState } from "./log-state.js";
import { newestPage, pageAfter, pageAround, pageBefore } from "./log-pages.js";
import { rowRange } from "./row-window.js";
import { readEventStream, type SseFrame } from "./sse.js";
import type { DeltaFrame, LogEvent } from "./types.js";

export { PAGE_EVENTS } from "./log-pages.js";
const RECONNECT_MS = 1000;

export interface LogPaths {
  /** `…/events`: the positional list. */
  events: string;
  /** The SSE stream of the same log. */
  stream: string;
}

type Dispatch = (a: LogAction) => void;

function onFrame(frame: SseFrame, dispatch: Dispatch, lastSeq: { current: number }) {
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
  dispatch: Dispatch,
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

/** One way of reading the log at a time: following its end, or a window the reader jumped to. */
interface Reading {
  abort: AbortController;
  /** Starts following the end from the window's last event (once the window reaches it). */
  followFrom(seq: number): void;
}

function newReading(paths: LogPaths, dispatch: Dispatch): Reading {
  const abort = new AbortController();
  return {
    abort,
    followFrom: (seq) => void follow(paths, abort.signal, dispatch, { current: seq }),
  };
}

const failed = (dispatch: Dispatch) => (error: unknown) =>
  dispatch({ type: "error", error: (error as Error).message });

export interface LogControls {
  loadEarlier(): void;
  loadLater(): void;
  showNewer(): void;
  /** Opens the window around a position (the live stream stops until the window reaches the end again). */
  jumpTo(position: number): void;
  /** Back to the newest page, following the stream. */
  toLiveEnd(): void;
}

/** Runs one page request at a time (others asked for meanwhile are dropped), its result handed to `done`. */
function useOneAtATime(dispatch: Dispatch) {
  const loading = useRef(false);
  return useCallback(
    <T>(get: () => Promise<T>, done: (page: T) => void) => {
      if (loading.current) return;
      loading.current = true;
      get()
        .then(done, failed(dispatch))
        .finally(() => {
          loading.current = false;
        });
    },
    [dispatch],
  );
}

/** The window around `position` replaces what is shown; the live stream stops unless the window reaches the end. */
function jumpWindow(
  paths: LogPaths,
  position: number,
  reading: { current: Reading | null },
  dispatch: Dispatch,
) {
  pageAround(paths.events, position).then((page) => {
    reading.current?.abort.abort();
    const r = newReading(paths, dispatch);
    reading.current = r;
    dispatch({ type: "jumped", ...page, focus: position });
    if (page.later === null) r.followFrom(page.events.at(-1)?.seq ?? -1);
  }, failed(dispatch));
}

/** A log's newest page, then live events from the stream; earlier and later pages on demand; jumps. */
export function useLog(paths: LogPaths): LogState & LogControls {
  const [state, dispatch] = useReducer(logReducer, EMPTY_LOG);
  const [liveRound, setLiveRound] = useState(0);
  const reading = useRef<Reading | null>(null);
  const current = useRef(state);
  current.current = state;

  useEffect(() => {
    const r = newReading(paths, dispatch);
    reading.current = r;
    dispatch({ type: "reset" });
    newestPage(paths.events, r.abort.signal)
      .then((page) => {
        dispatch({ type: "loaded", ...page });
        r.followFrom(page.events.at(-1)?.seq ?? -1);
      })
      .catch((error: unknown) => !r.abort.signal.aborted && failed(dispatch)(error));
    return () => r.abort.abort();
  }, [paths.events, paths.stream, liveRound]);

  const fetchOnce = useOneAtATime(dispatch);

  const loadEarlier = useCallback(() => {
    const { events, shownTo, earlier: cursor } = current.current;
    // Rows loaded before but left out of the page come first; the API is asked only past them.
    if (rowRange(events, shownTo)[0] > 0) return dispatch({ type: "shift", direction: "up" });
    if (cursor)
      fetchOnce(
        () => pageBefore(paths.events, cursor),
        (page) => dispatch({ type: "earlier", ...page }),
      );
  }, [paths.events, fetchOnce]);

  const loadLater = useCallback(() => {
    const { events, shownTo, later: cursor } = current.current;
    if (rowRange(events, shownTo)[1] < events.length) return dispatch({ type: "shift", direction: "down" });
    if (!cursor) return;
    const r = reading.current;
    fetchOnce(
      () => pageAfter(paths.events, cursor),
      (page) => {
        dispatch({ type: "later", ...page });
        // The window reached the end: follow it live from there (nothing missed between the two).
        const last = page.events.at(-1)?.seq ?? current.current.events.at(-1)?.seq ?? -1;
        if (page.later === null && r === reading.current) r?.followFrom(last);
      },
    );
  }, [paths.events, fetchOnce]);

  const jumpTo = useCallback((position: number) => jumpWindow(paths, position, reading, dispatch), [paths]);

  const showNewer = useCallback(() => dispatch({ type: "shift", direction: "down" }), []);
  const toLiveEnd = useCallback(() => setLiveRound((n) => n + 1), []);
  return { ...state, loadEarlier, loadLater, showNewer, jumpTo, toLiveEnd };
}
