import type { SessionId, SessionRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { changeSession, refuseWhileRunning } from "./stored-session.js";
import { releaseSandboxes } from "./release-sandboxes.js";

/** Archived sessions are read-only; a running one must be interrupted first. */
export async function archiveSession(state: StoreState, sessionId: SessionId): Promise<SessionRecord> {
  const next = await changeSession(state, sessionId, (s) => {
    if (s.record.archived_at) return undefined;
    refuseWhileRunning(s, "archive");
    const now = new Date().toISOString();
    return { ...s, record: { ...s.record, archived_at: now, updated_at: now } };
  });
  await releaseSandboxes(state, sessionId);
  return next.record;
}
