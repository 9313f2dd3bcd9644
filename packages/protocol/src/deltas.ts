import { z } from "zod";
import { EventId } from "./ids.js";

/**
 * Live token deltas on core NATS `corral.delta.<log_id>`: never stored, like the API's `event_delta`.
 * `event_start` announces the id the finished event will be stored under; `event_delta`s then add text
 * to one content block of it.
 */
export const DeltaFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("event_start"),
    event: z.object({ type: z.literal("agent.message"), id: EventId }),
  }),
  z.object({
    type: z.literal("event_delta"),
    event_id: EventId,
    delta: z.object({
      type: z.literal("content_delta"),
      index: z.number().int().min(0),
      content: z.object({ type: z.literal("text"), text: z.string() }),
    }),
  }),
]);
export type DeltaFrame = z.infer<typeof DeltaFrame>;
