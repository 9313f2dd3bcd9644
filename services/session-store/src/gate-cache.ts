import type { SessionId } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { GateEntry, StoreState } from "./state.js";
import type { StoredSession } from "./records/stored-records.js";

const MAX_CACHED = 100_000;

/**
 * Notes what a session's record now says for the append path (null: the record is gone). Writes reach the
 * cache from this replica's own changes, its reads and the bucket's watch, in any order: an entry older
 * than the one held never replaces it, so a late watch event or read cannot undo an archive made here.
 * Returns the entry now held.
 */
export function noteSession(
  state: StoreState,
  sessionId: SessionId,
  stored: Versioned<StoredSession> | null,
): GateEntry | null {
  const sessions = state.gate.sessions;
  if (!stored) return (sessions.delete(sessionId), null);
  const known = sessions.get(sessionId);
  if (known && known.revision >= stored.revision) return known;
  if (!known && sessions.size >= MAX_CACHED) sessions.clear();
  const { record } = stored.value;
  const entry: GateEntry = {
    archived: record.archived_at !== null,
    terminated: record.status === "terminated",
    revision: stored.revision,
  };
  sessions.set(sessionId, entry);
  return entry;
}
