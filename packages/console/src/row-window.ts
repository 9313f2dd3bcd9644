import type { LogEvent } from "./types.js";

/** At most this many rows are in the page at once; the rest of what was loaded waits above or below. */
export const MAX_ROWS = 2000;
const STEP = MAX_ROWS / 2;

/** The index range [start, end) of `events` on the page, for a window ending at position `shownTo` (null: the end). */
export function rowRange(events: LogEvent[], shownTo: number | null): [number, number] {
  const first = events[0]?.seq ?? 0;
  const end = shownTo === null ? events.length : Math.min(events.length, shownTo - first + 1);
  return [Math.max(0, end - MAX_ROWS), end];
}

/** After a page of earlier events: the window holds the top of the log as loaded, where the reader is. */
export function windowAfterEarlier(events: LogEvent[], shownTo: number | null): number | null {
  const first = events[0];
  if (!first || events.length <= MAX_ROWS) return shownTo;
  return Math.min(shownTo ?? Number.POSITIVE_INFINITY, first.seq + MAX_ROWS - 1);
}

/** Moves the window up (to loaded rows above it) or down (null again once it reaches the end). */
export function shiftWindow(events: LogEvent[], shownTo: number | null, direction: "up" | "down") {
  const first = events[0]?.seq ?? 0;
  const last = events.at(-1)?.seq ?? 0;
  const end = shownTo ?? last;
  if (direction === "up") return Math.max(first + MAX_ROWS - 1, end - STEP);
  return end + STEP >= last ? null : end + STEP;
}
