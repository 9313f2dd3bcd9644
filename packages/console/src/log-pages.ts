import { api, query, type Page } from "./api.js";
import type { LogEvent } from "./types.js";

/** Events fetched per page: the newest page first, earlier ones as the reader scrolls up. */
export const PAGE_EVENTS = 200;

type Order = "asc" | "desc";

const list = (
  events: string,
  params: { order: Order; page?: string; position?: number },
  signal?: AbortSignal,
) => api<Page<LogEvent>>(`${events}${query({ limit: PAGE_EVENTS, ...params })}`, { signal });

/** The log's newest page, oldest first, and the cursor of the page before it. */
export async function newestPage(events: string, signal?: AbortSignal) {
  const page = await list(events, { order: "desc" }, signal);
  return { events: [...page.data].reverse(), earlier: page.next_page };
}

/** The page before a window (the `earlier` cursor of a newest-first list), oldest first. */
export async function pageBefore(events: string, cursor: string) {
  const page = await list(events, { order: "desc", page: cursor });
  return { events: [...page.data].reverse(), earlier: page.next_page };
}

/** The page after a window (the `later` cursor of an oldest-first list). */
export async function pageAfter(events: string, cursor: string) {
  const page = await list(events, { order: "asc", page: cursor });
  return { events: page.data, later: page.next_page };
}

/**
 * The events around `position`: half a page before it and half from it on, two positional requests
 * (`position`, a Corral extension of the events list), never the log from its start. A position past the
 * log's end is refused by the API (its message is the error).
 */
export async function pageAround(events: string, position: number) {
  const half = PAGE_EVENTS / 2;
  const at = (order: Order, from: number) =>
    api<Page<LogEvent>>(`${events}${query({ limit: half, order, position: from })}`);
  const [from, before] = await Promise.all([
    at("asc", position),
    position > 0 ? at("desc", position - 1) : Promise.resolve({ data: [], next_page: null }),
  ]);
  return {
    events: [...[...before.data].reverse(), ...from.data],
    earlier: before.next_page,
    later: from.next_page,
  };
}
