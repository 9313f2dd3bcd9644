import { isId, type LogId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { checkSessionTakesEvents } from "../gate.js";
import { existingThread } from "../threads/stored-thread.js";
import { refuseArchived } from "../records/record-writes.js";

/** Internal appends need the log's session to take writes, and a thread's log its thread not archived. */
export async function checkLogTakesEvents(state: StoreState, logId: LogId): Promise<void> {
  if (!isId("thread", logId)) return checkSessionTakesEvents(state, logId, "internal");
  const thread = await existingThread(state, logId);
  refuseArchived(thread.record, `thread ${logId}`);
  await checkSessionTakesEvents(state, thread.record.session_id, "internal");
}
