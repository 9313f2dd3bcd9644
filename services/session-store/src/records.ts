import type { SessionEvent, SessionRecord } from "@corral/protocol";
import { updateJson, type KV } from "@corral/bus";
import {
  StoredSession,
  StoredThread,
  affectsRecord,
  foldEvents,
  withOwnUsage,
  withThreadStatus,
  withThreadUsage,
} from "./session-state.js";

/** Folds appended events into the session record; a no-op for batches that change nothing it shows. */
export async function foldIntoRecord(
  sessions: KV,
  sessionId: string,
  events: readonly SessionEvent[],
): Promise<void> {
  if (!events.some(affectsRecord)) return;
  await updateJson(sessions, StoredSession, sessionId, (stored) => {
    const next = foldEvents<SessionRecord, StoredSession>(stored, events, withOwnUsage);
    return next === stored ? undefined : next;
  });
}

/**
 * Folds a thread's appended events into its record, and its usage into its session's total.
 * Returns the thread as stored (null when unknown).
 */
export async function foldIntoThread(
  threads: KV,
  sessions: KV,
  threadId: string,
  events: readonly SessionEvent[],
): Promise<StoredThread | null> {
  const entry = await updateJson(threads, StoredThread, threadId, (stored) => {
    const next = foldEvents(stored, events);
    return next === stored ? undefined : next;
  });
  if (!entry) return null;
  const usage = [...events].reverse().find((e) => e.type === "session.usage");
  const status = entry.value.record.status;
  await updateJson(sessions, StoredSession, entry.value.record.session_id, (stored) => {
    let next = withThreadStatus(stored, threadId, status === "running" || status === "rescheduling");
    if (usage?.type === "session.usage") next = withThreadUsage(next, threadId, usage.usage);
    return next === stored ? undefined : next;
  });
  return entry.value;
}
