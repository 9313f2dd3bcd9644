import { CorralError, type SessionId, type ThreadId, type ThreadRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { releaseSandboxes } from "../sessions/release-sandboxes.js";
import { isRunning } from "./list-threads.js";
import { ownedThread } from "./stored-thread.js";
import { archivedNow } from "../records/record-writes.js";

/** A running thread must be interrupted first; archiving lets go of the sandboxes it holds. */
export async function archiveThread(
  state: StoreState,
  sessionId: SessionId | undefined,
  threadId: ThreadId,
): Promise<ThreadRecord> {
  await ownedThread(state, sessionId, threadId);
  const entry = await state.buckets.threads.update(threadId, (s) => {
    if (s.record.archived_at) return undefined;
    if (isRunning(s.record))
      throw new CorralError("CONFLICT", `cannot archive a running thread; interrupt it first`, {
        retryable: false,
      });
    return { ...s, record: archivedNow(s.record) };
  });
  if (!entry) throw new CorralError("NOT_FOUND", `thread ${threadId} not found`);
  await releaseSandboxes(state, entry.value.record.session_id, threadId);
  return entry.value.record;
}
