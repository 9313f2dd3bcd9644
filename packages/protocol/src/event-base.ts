import { z } from "zod";
import { Timestamp } from "./primitives.js";
import { EventId, ThreadId } from "./ids.js";

/** What the session log adds to every event it stores. */
export const EventBase = {
  id: EventId,
  processed_at: Timestamp,
  /** 0-based position in the session's log. */
  seq: z.number().int().min(0),
};

/** The stored form of an event input: its own fields plus `id`, `processed_at` and `seq`. */
export function stored<Shape extends z.ZodRawShape, Config extends z.core.$ZodObjectConfig>(
  input: z.ZodObject<Shape, Config>,
) {
  return input.extend(EventBase);
}

/** Routes an event to one thread of a multiagent session; absent means the primary thread. */
export const SessionThreadId = ThreadId.nullish();

export const ToolInput = z.record(z.string(), z.unknown());
