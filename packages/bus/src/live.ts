import { DeltaFrame, LOG_HEADERS, SUBJECTS, type LogId, type SessionEventType } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { traceOptions } from "./trace-context.js";

/** Stops a live subscription. */
export type Unsubscribe = () => void;

/** Publishes one live delta frame for a log (core NATS, fire and forget: deltas are never stored). */
export function publishDelta(bus: Bus, logId: LogId, frame: DeltaFrame): void {
  bus.nc.publish(SUBJECTS.delta(logId), JSON.stringify(frame), traceOptions());
}

/**
 * Calls `onFrame` with each valid delta frame published for a log, and its raw JSON (so a relay need
 * not encode it again). Malformed frames are dropped here.
 */
export function subscribeDeltas(
  bus: Bus,
  logId: LogId,
  onFrame: (frame: DeltaFrame, json: string) => void,
): Unsubscribe {
  const sub = bus.nc.subscribe(SUBJECTS.delta(logId), {
    callback: (err, msg) => {
      if (err) return;
      const json = msg.string();
      let parsed;
      try {
        parsed = DeltaFrame.safeParse(JSON.parse(json));
      } catch {
        return;
      }
      if (parsed.success) onFrame(parsed.data, json);
    },
  });
  return () => sub.unsubscribe();
}

/**
 * Calls `onStored` with the event types of each batch stored in a log, as the stream republishes them
 * after storing (never for a rejected append): a hint to look at the log now.
 */
export function subscribeStored(
  bus: Bus,
  logId: LogId,
  onStored: (types: SessionEventType[]) => void,
): Unsubscribe {
  const sub = bus.nc.subscribe(SUBJECTS.logged(logId), {
    callback: (err, msg) => {
      if (err) return;
      const types = (msg.headers?.get(LOG_HEADERS.types) ?? "").split(",").filter(Boolean);
      onStored(types as SessionEventType[]);
    },
  });
  return () => sub.unsubscribe();
}

/** `subscribeStored` for every log at once: `onStored` also gets the log's id. */
export function subscribeStoredAll(
  bus: Bus,
  onStored: (logId: string, types: SessionEventType[]) => void,
): Unsubscribe {
  const prefix = SUBJECTS.logged("");
  const sub = bus.nc.subscribe(SUBJECTS.loggedAll, {
    callback: (err, msg) => {
      if (err) return;
      const types = (msg.headers?.get(LOG_HEADERS.types) ?? "").split(",").filter(Boolean);
      onStored(msg.subject.slice(prefix.length), types as SessionEventType[]);
    },
  });
  return () => sub.unsubscribe();
}

/** Resolves once every subscription made so far is live on the server. */
export async function flush(bus: Bus): Promise<void> {
  await bus.nc.flush();
}
