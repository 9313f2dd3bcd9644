import type { SessionId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { threadIndexFilter, threadOfIndexKey } from "./stored-thread.js";

/** Removes a deleted session's threads: records, index and logs. */
export async function removeSessionThreads(state: StoreState, sessionId: SessionId): Promise<void> {
  for (const key of await state.buckets.threadKeys.keys(threadIndexFilter(sessionId))) {
    const threadId = threadOfIndexKey(key);
    await state.log.purge(threadId, 0);
    await state.buckets.threads.delete(threadId);
    await state.buckets.threadKeys.delete(key);
  }
}
