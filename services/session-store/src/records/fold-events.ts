import { z } from "zod";
import {
  SessionRecord,
  ThreadRecord,
  Usage,
  type SessionEvent,
  type SessionStatus,
  type StopReason,
} from "@corral/protocol";

/**
 * What the session-store keeps per session: the API record plus the position of the last status and usage
 * event folded into it. Both are snapshots, so folding is last-writer-wins by position and batches from
 * two writers may be folded in either order. A session's usage is its primary thread's (`own_usage`)
 * plus each sub-agent thread's latest snapshot (`threads_usage`).
 */
export const StoredSession = z.object({
  record: SessionRecord,
  status_seq: z.number().int(),
  usage_seq: z.number().int(),
  running_since: z.string().nullable(),
  own_usage: Usage.optional(),
  threads_usage: z.record(z.string(), Usage).default({}),
  /** Threads running now: while any runs, the session shows as running. */
  threads_running: z.array(z.string()).default([]),
});
export type StoredSession = z.infer<typeof StoredSession>;

/** A sub-agent thread: its record, folded from its own log exactly like a session's. */
export const StoredThread = z.object({
  record: ThreadRecord,
  status_seq: z.number().int(),
  usage_seq: z.number().int(),
  running_since: z.string().nullable(),
});
export type StoredThread = z.infer<typeof StoredThread>;

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

/** True when an event changes what the session record shows; other events leave the record alone. */
export function affectsRecord(event: SessionEvent): boolean {
  return event.type.startsWith("session.status_") || event.type === "session.usage";
}

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

const TOKEN_FIELDS = [
  "input_tokens",
  "output_tokens",
  "cache_read_input_tokens",
  "cache_creation_input_tokens",
] as const;

/** Token counts added up (other fields are the primary thread's). */
export function sumUsage(base: Usage, others: readonly Usage[]): Usage {
  const total = { ...base };
  for (const usage of others) for (const field of TOKEN_FIELDS) total[field] += usage[field];
  return total;
}

/** A session's own usage snapshot, with its threads' added. */
export function withOwnUsage(state: StoredSession, usage: Usage): StoredSession {
  return {
    ...state,
    own_usage: usage,
    record: { ...state.record, usage: sumUsage(usage, Object.values(state.threads_usage)) },
  };
}

/** A thread's usage snapshot, added to its session's total. */
export function withThreadUsage(state: StoredSession, threadId: string, usage: Usage): StoredSession {
  const threads = { ...state.threads_usage, [threadId]: usage };
  const own = state.own_usage ?? state.record.usage;
  return {
    ...state,
    threads_usage: threads,
    own_usage: own,
    record: { ...state.record, usage: sumUsage(own, Object.values(threads)) },
  };
}

/** A thread's status change, as its session sees it. */
export function withThreadStatus(state: StoredSession, threadId: string, running: boolean): StoredSession {
  if (state.threads_running.includes(threadId) === running) return state;
  return {
    ...state,
    threads_running: running
      ? [...state.threads_running, threadId]
      : state.threads_running.filter((id) => id !== threadId),
  };
}

/** The record the API shows: a session with a running thread is running (as in the Managed Agents API). */
export function visibleRecord(state: StoredSession): StoredSession["record"] {
  return state.threads_running.length > 0 && state.record.status !== "terminated"
    ? { ...state.record, status: "running", stop_reason: null }
    : state.record;
}
