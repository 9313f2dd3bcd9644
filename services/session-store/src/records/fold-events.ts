import type { SessionEvent, SessionStatus, StopReason, Usage } from "@corral/protocol";

interface FoldedRecord {
  status: SessionStatus;
  stop_reason: StopReason | null;
  stats: { active_seconds: number; duration_seconds: number } | null;
  usage: Usage | null;
  event_count: number;
  updated_at: string;
}
interface Folded<R extends FoldedRecord> {
  record: R;
  status_seq: number;
  usage_seq: number;
  running_since: string | null;
}

/** True when an event of this type changes what the record shows; other events leave the record alone. */
export function affectsRecordType(type: string): boolean {
  return type.startsWith("session.status_") || type === "session.usage";
}

export const affectsRecord = (event: SessionEvent) => affectsRecordType(event.type);

function secondsBetween(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

function withStatus<R extends FoldedRecord, S extends Folded<R>>(state: S, event: SessionEvent): S {
  const record = { ...state.record };
  let runningSince = state.running_since;
  if (event.type === "session.status_running") {
    record.status = "running";
    record.stop_reason = null;
    runningSince = runningSince ?? event.processed_at;
  } else {
    if (runningSince) {
      const stats = record.stats ?? { active_seconds: 0, duration_seconds: 0 };
      record.stats = {
        ...stats,
        active_seconds: stats.active_seconds + secondsBetween(runningSince, event.processed_at),
      };
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

/** Folds appended events into a stored session or thread (pure). Events older than what is folded are skipped. */
export function foldEvents<R extends FoldedRecord, S extends Folded<R>>(
  state: S,
  events: readonly SessionEvent[],
  onUsage?: (state: S, usage: Usage) => S,
): S {
  let next = state;
  for (const event of events) {
    if (event.type === "session.usage" && event.seq > next.usage_seq) {
      next = { ...next, record: { ...next.record, usage: event.usage }, usage_seq: event.seq };
      if (onUsage) next = onUsage(next, event.usage);
    } else if (event.type.startsWith("session.status_") && event.seq > next.status_seq) {
      next = withStatus<R, S>(next, event);
    }
  }
  const last = events[events.length - 1];
  if (next === state || !last) return state;
  return {
    ...next,
    record: {
      ...next.record,
      event_count: Math.max(next.record.event_count, last.seq + 1),
      updated_at: last.processed_at,
    },
  };
}
