import { CorralError, type SessionId } from "@corral/protocol";
import type { StoreState } from "./state.js";
import { storedSession } from "./sessions/stored-session.js";

const MAX_CACHED = 100_000;

async function gateState(state: StoreState, sessionId: SessionId) {
  const cached = state.gate.sessions.get(sessionId);
  if (cached) return cached;
  const { record } = await storedSession(state, sessionId);
  const fresh = { archived: record.archived_at !== null, terminated: record.status === "terminated" };
  if (state.gate.sessions.size > MAX_CACHED) state.gate.sessions.clear();
  state.gate.sessions.set(sessionId, fresh);
  return fresh;
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
 * Drops a session's cached gate state whenever its record changes (any replica's change reaches every
 * replica's watcher). Returns the function that stops watching.
 */
export function watchSessionChanges(state: StoreState): () => void {
  const stop = new AbortController();
  void (async () => {
    for await (const change of state.buckets.sessions.watch({ from: "now", signal: stop.signal }))
      state.gate.sessions.delete(change.key as SessionId);
  })().catch((err: unknown) => {
    if (!stop.signal.aborted) state.logger.error({ err }, "session watch ended");
  });
  return () => stop.abort();
}
