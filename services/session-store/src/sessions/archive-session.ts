import type { SessionId, SessionRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { changeSession, refuseWhileRunning } from "./stored-session.js";
import { releaseSandboxes } from "./release-sandboxes.js";
import { archivedNow } from "../records/record-writes.js";

/** Archived sessions are read-only; a running one must be interrupted first. */
export async function archiveSession(state: StoreState, sessionId: SessionId): Promise<SessionRecord> {
  const next = await changeSession(state, sessionId, (s) => {
    if (s.record.archived_at) return undefined;
    refuseWhileRunning(s, "archive");
    return { ...s, record: archivedNow(s.record) };
  });
  await releaseSandboxes(state, sessionId);
  return next.record;
}
