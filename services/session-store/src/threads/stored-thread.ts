import { CorralError, type SessionId, type ThreadId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredThread } from "../records/stored-records.js";

export const threadIndexKey = (sessionId: SessionId, threadId: ThreadId) => `idx.${sessionId}.${threadId}`;
export const threadIndexFilter = (sessionId: SessionId) => `idx.${sessionId}.*`;
export const threadOfIndexKey = (key: string) => key.slice(key.lastIndexOf(".") + 1) as ThreadId;

export async function storedThread(state: StoreState, threadId: ThreadId): Promise<StoredThread | null> {
  return (await state.buckets.threads.get(threadId))?.value ?? null;
}

export async function existingThread(state: StoreState, threadId: ThreadId): Promise<StoredThread> {
  const thread = await storedThread(state, threadId);
  if (!thread) throw new CorralError("NOT_FOUND", `thread ${threadId} not found`);
  return thread;
}

/** The thread, which must be of `sessionId` when one is given. */
export async function ownedThread(
  state: StoreState,
  sessionId: SessionId | undefined,
  threadId: ThreadId,
): Promise<StoredThread> {
  const thread = await storedThread(state, threadId);
  if (!thread || (sessionId !== undefined && thread.record.session_id !== sessionId))
    throw new CorralError(
      "NOT_FOUND",
      `thread ${threadId} not found${sessionId ? ` in session ${sessionId}` : ""}`,
    );
  return thread;
}
