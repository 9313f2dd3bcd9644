import { z } from "zod";
import { CorralError, SessionEventType, STORE_RPC, type LogId } from "@corral/protocol";
import type { Call } from "./route.js";
import { CreatedAtQuery, Cursor, Limit, listOf } from "./schemas.js";

export const EventsListQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
  types: listOf(SessionEventType, 64).optional(),
  /** Against each event's `processed_at`. */
  created_at: CreatedAtQuery,
  /**
   * Corral extension: the page starts at this position of the log (its events' `seq`) and runs in the
   * requested order from there (`asc`: that event and later ones; `desc`: that event and earlier ones), so a
   * client can open a long log anywhere without paging to it. Not with `page`; past the log's last event: 400.
   */
  position: z
    .string()
    .regex(/^\d{1,16}$/, "a log position: digits only")
    .transform(Number)
    .pipe(z.number().int().max(Number.MAX_SAFE_INTEGER))
    .optional()
    .meta({
      description:
        "Corral extension: start the page at this log position (an event's seq), in the requested order. " +
        "Not with `page`; a position past the log's last event is refused (400 invalid_request_error).",
    }),
});

// Event pages are positions in the log; the cursor is opaque to clients.
const EventCursor = z.object({ from: z.number().int().min(0), order: z.enum(["asc", "desc"]) });
type EventCursor = z.infer<typeof EventCursor>;

const encodeEventCursor = (c: EventCursor) => Buffer.from(JSON.stringify(c)).toString("base64url");

function decodeEventCursor(page: string): EventCursor {
  try {
    return EventCursor.parse(JSON.parse(Buffer.from(page, "base64url").toString("utf8")));
  } catch {
    throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
  }
}

/** Where the page starts: the cursor's position, the `position` asked for, or the log's end (by order). */
function startOf(query: z.output<typeof EventsListQuery>): number | undefined {
  if (query.page !== undefined && query.position !== undefined)
    throw new CorralError(
      "INVALID_REQUEST",
      "position: not with page (a page cursor already holds its position)",
    );
  const cursor = query.page ? decodeEventCursor(query.page) : null;
  if (cursor && cursor.order !== query.order)
    throw new CorralError("INVALID_REQUEST", "page was returned for the other order");
  return cursor?.from ?? query.position;
}

/** A page of a log (a session's, or one of its threads'). */
export async function listLog(call: Call, logId: LogId, query: z.output<typeof EventsListQuery>) {
  const from = startOf(query);
  const result = await call(STORE_RPC.eventsList, {
    session_id: logId,
    limit: query.limit,
    order: query.order,
    ...(from !== undefined && { from }),
    ...(query.types && { types: query.types }),
    ...(query.created_at && { created_at: query.created_at }),
  });
  if (query.position !== undefined && query.position > result.last_seq)
    throw new CorralError(
      "INVALID_REQUEST",
      result.last_seq < 0
        ? `position: ${query.position} is out of range (the log has no events)`
        : `position: ${query.position} is out of range (the log's last position is ${result.last_seq})`,
    );
  return {
    data: result.data,
    next_page:
      result.next_from === null ? null : encodeEventCursor({ from: result.next_from, order: query.order }),
  };
}
