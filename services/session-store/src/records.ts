import type { SessionEvent } from "@corral/protocol";
import { updateJson, type KV } from "@corral/bus";
import { StoredSession, affectsRecord, foldEvents } from "./session-state.js";

/** Folds appended events into the session record; a no-op for batches that change nothing it shows. */
export async function foldIntoRecord(sessions: KV, sessionId: string, events: readonly SessionEvent[]): Promise<void> {
  if (!events.some(affectsRecord)) return;
  await updateJson(sessions, StoredSession, sessionId, (stored) => {
    const next = foldEvents(stored, events);
    return next === stored ? undefined : next;
  });
}
