import type { SessionEvent, SessionId, SessionRecord, ThreadId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { affectsRecord, foldEvents } from "./fold-events.js";
import { withOwnUsage, withThreadStatus, withThreadUsage } from "./session-totals.js";
import type { StoredSession, StoredThread } from "./stored-records.js";

/** Folds appended events into the session record; a no-op for batches that change nothing it shows. */
export async function foldIntoSession(
  state: StoreState,
  sessionId: SessionId,
  events: readonly SessionEvent[],
): Promise<void> {
  if (!events.some(affectsRecord)) return;
  await state.buckets.sessions.update(sessionId, (stored) => {
    const next = foldEvents<SessionRecord, StoredSession>(stored, events, withOwnUsage);
    return next === stored ? undefined : next;
  });
}

/**
 * Folds a thread's appended events into its record, and its usage and status into its session's.
 * Returns the thread as stored (null when unknown).
 */
export async function foldIntoThread(
  state: StoreState,
  threadId: ThreadId,
  events: readonly SessionEvent[],
): Promise<StoredThread | null> {
  const entry = await state.buckets.threads.update(threadId, (stored) => {
    const next = foldEvents(stored, events);
    return next === stored ? undefined : next;
  });
  if (!entry) return null;
  const usage = [...events].reverse().find((e) => e.type === "session.usage");
  const status = entry.value.record.status;
  await state.buckets.sessions.update(entry.value.record.session_id, (stored) => {
    let next = withThreadStatus(stored, threadId, status === "running" || status === "rescheduling");
    if (usage?.type === "session.usage") next = withThreadUsage(next, threadId, usage.usage);
    return next === stored ? undefined : next;
  });
  return entry.value;
}
