import type { SessionId, ThreadId, ThreadRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { ownedThread } from "./stored-thread.js";

/** The record as the API shows it: event count from the log's head, duration up to now (or the archive). */
export async function getThread(
  state: StoreState,
  sessionId: SessionId | undefined,
  threadId: ThreadId,
): Promise<ThreadRecord> {
  const { record } = await ownedThread(state, sessionId, threadId);
  const head = await state.log.head(threadId);
  const end = record.archived_at ? Date.parse(record.archived_at) : Date.now();
  const stats = record.stats ?? { active_seconds: 0, duration_seconds: 0 };
  return {
    ...record,
    event_count: head ? head.lastSeq + 1 : 0,
    stats: { ...stats, duration_seconds: Math.max(0, (end - Date.parse(record.created_at)) / 1000) },
  };
}
