import { CorralError, type SessionId } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { StoreState } from "../state.js";
import type { StoredSession } from "../records/stored-records.js";
import { visibleRecord } from "../records/session-totals.js";
import { requireVisible } from "../workspace-scope.js";
import { noteSession } from "../gate-cache.js";

export async function storedSession(state: StoreState, sessionId: SessionId): Promise<StoredSession> {
  return (await storedSessionEntry(state, sessionId)).value;
}

/** The stored session with its revision. */
export async function storedSessionEntry(
  state: StoreState,
  sessionId: SessionId,
): Promise<Versioned<StoredSession>> {
  const entry = await state.buckets.sessions.get(sessionId);
  if (!entry) throw new CorralError("NOT_FOUND", `session ${sessionId} not found`);
  requireVisible(entry.value.record, `session ${sessionId}`);
  return entry;
}

/** Read-modify-write of a stored session; `change` may return undefined to leave it as it is. */
export async function changeSession(
  state: StoreState,
  sessionId: SessionId,
  change: (s: StoredSession) => StoredSession | undefined,
): Promise<StoredSession> {
  const entry = await state.buckets.sessions.update(sessionId, change);
  if (!entry) throw new CorralError("NOT_FOUND", `session ${sessionId} not found`);
  // A send right after this change (an archive) must see it, before the bucket's watch brings it.
  noteSession(state, sessionId, entry);
  return entry.value;
}

export function refuseWhileRunning(s: StoredSession, verb: string): void {
  if (visibleRecord(s).status === "running")
    throw new CorralError(
      "CONFLICT",
      `cannot ${verb} a running session (or one with running threads); interrupt it first`,
      { retryable: false },
    );
}
