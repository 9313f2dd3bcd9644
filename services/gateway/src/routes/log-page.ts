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

/** A page of a log (a session's, or one of its threads'). */
export async function listLog(call: Call, logId: LogId, query: z.output<typeof EventsListQuery>) {
  const cursor = query.page ? decodeEventCursor(query.page) : null;
  if (cursor && cursor.order !== query.order)
    throw new CorralError("INVALID_REQUEST", "page was returned for the other order");
  const result = await call(STORE_RPC.eventsList, {
    session_id: logId,
    limit: query.limit,
    order: query.order,
    ...(cursor && { from: cursor.from }),
    ...(query.types && { types: query.types }),
    ...(query.created_at && { created_at: query.created_at }),
  });
  return {
    data: result.data,
    next_page:
      result.next_from === null ? null : encodeEventCursor({ from: result.next_from, order: query.order }),
  };
}
