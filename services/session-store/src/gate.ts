import { CorralError, type SessionId } from "@corral/protocol";
import type { GateEntry, StoreState } from "./state.js";
import { storedSessionEntry } from "./sessions/stored-session.js";
import { noteSession } from "./gate-cache.js";

async function gateState(state: StoreState, sessionId: SessionId): Promise<GateEntry> {
  const cached = state.gate.sessions.get(sessionId);
  if (cached) return cached;
  return noteSession(state, sessionId, await storedSessionEntry(state, sessionId))!;
}

/** Throws unless the session exists and may take events from this kind of sender (appends are the hot path). */
export async function checkSessionTakesEvents(
  state: StoreState,
  sessionId: SessionId,
  sender: "client" | "internal",
): Promise<void> {
  const s = await gateState(state, sessionId);
  if (s.archived) throw new CorralError("ARCHIVED", `session ${sessionId} is archived and read-only`);
  if (s.terminated && sender === "client")
    throw new CorralError("CONFLICT", `session ${sessionId} is terminated`, { retryable: false });
}

/**
 * Keeps each session's gate state as its record changes (any replica's change reaches every replica's
 * watcher): a new session's first send finds it here instead of reading the record on the way to the log.
 * Returns the function that stops watching.
 */
export function watchSessionChanges(state: StoreState): () => void {
  const stop = new AbortController();
  void (async () => {
    for await (const { key, value, revision } of state.buckets.sessions.watch({
      from: "now",
      signal: stop.signal,
    }))
      noteSession(state, key as SessionId, value && { value, revision });
  })().catch((err: unknown) => {
    if (!stop.signal.aborted) state.logger.error({ err }, "session watch ended");
  });
  return () => stop.abort();
}
