import { z } from "zod";
import { SessionRecord, type SessionEvent } from "@corral/protocol";

/**
 * What the session-store keeps per session: the API record plus the position of the last status and usage
 * event folded into it. Both are snapshots, so folding is last-writer-wins by position and batches from
 * two writers may be folded in either order.
 */
export const StoredSession = z.object({
  record: SessionRecord,
  status_seq: z.number().int(),
  usage_seq: z.number().int(),
  running_since: z.string().nullable(),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** True when an event changes what the session record shows; other events leave the record alone. */
export function affectsRecord(event: SessionEvent): boolean {
  return event.type.startsWith("session.status_") || event.type === "session.usage";
}

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function withStatus(state: StoredSession, event: SessionEvent): StoredSession {
  const record = { ...state.record };
  let runningSince = state.running_since;
  if (event.type === "session.status_running") {
    record.status = "running";
    record.stop_reason = null;
    runningSince = runningSince ?? event.processed_at;
  } else {
    if (runningSince) {
      record.stats = { ...record.stats, active_seconds: record.stats.active_seconds + secondsBetween(runningSince, event.processed_at) };
      runningSince = null;
    }
    if (event.type === "session.status_idle") {
      record.status = "idle";
      record.stop_reason = event.stop_reason;
    } else if (event.type === "session.status_rescheduled") {
      record.status = "rescheduling";
    } else if (event.type === "session.status_terminated") {
      record.status = "terminated";
    }
  }
  return { ...state, record, running_since: runningSince, status_seq: event.seq };
}

/** Folds appended events into the stored session (pure). Events older than what is folded are skipped. */
export function foldEvents(state: StoredSession, events: readonly SessionEvent[]): StoredSession {
  let next = state;
  for (const event of events) {
    if (event.type === "session.usage" && event.seq > next.usage_seq) {
      next = { ...next, record: { ...next.record, usage: event.usage }, usage_seq: event.seq };
    } else if (event.type.startsWith("session.status_") && event.seq > next.status_seq) {
      next = withStatus(next, event);
    }
  }
  const last = events[events.length - 1];
  if (next === state || !last) return state;
  return { ...next, record: { ...next.record, event_count: Math.max(next.record.event_count, last.seq + 1), updated_at: last.processed_at } };
}
