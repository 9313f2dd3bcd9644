import type { ServerResponse } from "node:http";
import type { DeltaFrame, SessionEvent } from "@corral/protocol";
import type { DeltaType } from "./routes/schemas.js";

/** One SSE frame per stored event; its `id` is the event's position, which `Last-Event-ID` resumes from. */
export const eventFrame = (event: SessionEvent) =>
  `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** A frame that is not an event of the log (pings, deltas): no `id`, never replayed. */
export const sseFrame = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;

/** A stored event, serialised once for every follower. */
export interface Frame {
  seq: number;
  text: string;
  /** The log ends with it (the session was deleted). */
  last: boolean;
}

/** One SSE connection following a log. */
export interface Follower {
  res: ServerResponse;
  /** The next position this follower must receive. */
  next: number;
  deltas: ReadonlySet<DeltaType>;
  /** Events whose start this follower was sent, so it gets their deltas too. */
  previews: Set<string>;
}

/** Whether a live delta frame goes to this follower: the kinds it asked for, from their start on. */
export function wantsDelta(follower: Follower, frame: DeltaFrame): boolean {
  if (frame.type === "event_start") {
    if (!follower.deltas.has(frame.event.type)) return false;
    follower.previews.add(frame.event.id);
    return true;
  }
  return follower.previews.has(frame.event_id);
}
