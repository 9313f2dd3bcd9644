import { isId, type LogId, type SessionEvent } from "@corral/protocol";
import type { StoreState } from "./state.js";
import { forwardToThreads } from "./threads/forward-to-threads.js";

/**
 * What a stored batch that wakes its log implies: a confirmed wake (deduplicated by event id, so one sent
 * already by the append path costs nothing), and, in a session's log, interrupts and answers forwarded
 * to its threads.
 */
export async function wakeForStored(
  state: StoreState,
  logId: LogId,
  events: readonly SessionEvent[],
): Promise<void> {
  await state.writer.wake(logId, events, { confirm: true });
  if (isId("session", logId)) await forwardToThreads(state, logId, events);
}
