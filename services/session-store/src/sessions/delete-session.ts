import type { SessionId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { appendToLog } from "../append.js";
import { removeSessionThreads } from "../threads/remove-threads.js";
import { refuseWhileRunning, storedSession } from "./stored-session.js";
import { releaseSandboxes } from "./release-sandboxes.js";
import { noteSession } from "../gate-cache.js";

/**
 * Archived sessions can be deleted too: archiving stops writes, deleting removes the history. The log
 * keeps its last message, `session.deleted`, so live followers see the end.
 */
export async function deleteSession(
  state: StoreState,
  sessionId: SessionId,
): Promise<{ id: SessionId; type: "session_deleted" }> {
  await storedSession(state, sessionId);
  await appendToLog(state, { sessionId, events: [{ type: "session.deleted" }] });
  refuseWhileRunning(await storedSession(state, sessionId), "delete");
  await state.buckets.sessions.delete(sessionId);
  noteSession(state, sessionId, null);
  await state.log.purge(sessionId, 1);
  await removeSessionThreads(state, sessionId);
  await releaseSandboxes(state, sessionId);
  state.writer.forget(sessionId);
  return { id: sessionId, type: "session_deleted" };
}
