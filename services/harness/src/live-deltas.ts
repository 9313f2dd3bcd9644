import { newId, type EventId } from "@corral/protocol";
import { publishDelta } from "@corral/bus";
import type { Run } from "./run-context.js";

/**
 * The model's text as it streams, on core NATS (never stored): each content block is announced with the
 * id its finished `agent.message` will be stored under, so a follower can replace the preview with it.
 */
export interface LivePreviews {
  /** The announced id of each text block, by content index. */
  readonly ids: Map<number, EventId>;
  onText(index: number, delta: string): void;
}

export function livePreviews(run: Run): LivePreviews {
  const ids = new Map<number, EventId>();
  const logId = run.info.logId;
  return {
    ids,
    onText(index, delta) {
      let id = ids.get(index);
      if (!id) {
        id = newId("event");
        ids.set(index, id);
        publishDelta(run.deps.bus, logId, { type: "event_start", event: { type: "agent.message", id } });
      }
      publishDelta(run.deps.bus, logId, {
        type: "event_delta",
        event_id: id,
        delta: { type: "content_delta", index, content: { type: "text", text: delta } },
      });
    },
  };
}
