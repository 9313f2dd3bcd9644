import type { ThreadListRequest, ThreadRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { storedThread, threadIndexFilter, threadOfIndexKey } from "./stored-thread.js";

const RUNNING = new Set(["running", "rescheduling"]);

export const isRunning = (t: ThreadRecord) => RUNNING.has(t.status);

/** Running, or created and not yet run (idle with no stop reason): what an interrupt reaches and the limit counts. */
export const isActive = (t: ThreadRecord) =>
  !t.archived_at && (isRunning(t) || (t.status === "idle" && t.stop_reason === null));

/** A session's threads, oldest first. */
export async function listThreads(state: StoreState, req: ThreadListRequest): Promise<ThreadRecord[]> {
  const out: ThreadRecord[] = [];
  for (const key of await state.buckets.threadKeys.keys(threadIndexFilter(req.session_id))) {
    const thread = await storedThread(state, threadOfIndexKey(key));
    if (!thread) continue;
    const r = thread.record;
    if ((!req.include_archived && r.archived_at) || (req.statuses && !req.statuses.includes(r.status)))
      continue;
    out.push(r);
  }
  return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
}
