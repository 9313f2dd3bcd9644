import type { ThreadId, Usage } from "@corral/protocol";
import type { StoredSession } from "./stored-records.js";

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
export function withThreadUsage(state: StoredSession, threadId: ThreadId, usage: Usage): StoredSession {
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
export function withThreadStatus(state: StoredSession, threadId: ThreadId, running: boolean): StoredSession {
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
