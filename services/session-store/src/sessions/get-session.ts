import type { SessionId, SessionRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { visibleRecord } from "../records/session-totals.js";
import { storedSession } from "./stored-session.js";

/** The record as the API shows it: event count from the log's head, duration up to now (or the archive). */
export async function getSession(state: StoreState, sessionId: SessionId): Promise<SessionRecord> {
  // Both reads at once (a harness asks for the record on its way to the first model request).
  const [stored, head] = await Promise.all([storedSession(state, sessionId), state.log.head(sessionId)]);
  const record = visibleRecord(stored);
  const end = record.archived_at ? Date.parse(record.archived_at) : Date.now();
  return {
    ...record,
    event_count: head ? head.lastSeq + 1 : 0,
    stats: {
      ...record.stats,
      duration_seconds: Math.max(0, (end - Date.parse(record.created_at)) / 1000),
    },
  };
}
