import { isId, LOG_HEADERS, SUBJECTS, type LogId, type SessionEvent } from "@corral/protocol";
import { positionedBatch, wakesSession, type WorkItem } from "@corral/bus";
import type { StoreState } from "../state.js";
import { foldIntoSession, foldIntoThread } from "../records/fold-into-records.js";
import { affectsRecordType } from "../records/fold-events.js";
import { wakeForStored } from "../wakes.js";
import { reportThreadEvents } from "./report-thread.js";

async function foldAndReport(
  state: StoreState,
  logId: LogId,
  events: readonly SessionEvent[],
): Promise<void> {
  if (!isId("thread", logId)) return foldIntoSession(state, logId, events);
  const thread = await foldIntoThread(state, logId, events);
  if (thread) await reportThreadEvents(state, thread, events);
  else state.logger.warn({ thread_id: logId }, "log of an unknown thread; not reported");
}

/** The body as JSON, or undefined: a message no Corral writer made is skipped, never retried for good. */
function jsonOf(item: WorkItem): unknown {
  try {
    return item.json();
  } catch {
    return undefined;
  }
}

/** Applies what one stored batch implies; batches that neither wake nor change a record are not even parsed. */
export async function projectBatch(state: StoreState, item: WorkItem): Promise<void> {
  const types = (item.header(LOG_HEADERS.types) ?? "").split(",");
  const wakes = types.some(wakesSession);
  const folds = types.some(affectsRecordType);
  if (!wakes && !folds) return;
  // Logs are named by the ids their writers checked; the subject is taken as it is.
  const logId = item.subject.slice(SUBJECTS.log("").length) as LogId;
  // As every reader does, a message without a valid position (no Corral writer made it) is passed over.
  const events = positionedBatch((name) => item.header(name), jsonOf(item));
  if (!events) {
    state.logger.warn({ session_id: logId, seq: item.seq }, "log message without a valid position skipped");
    return;
  }
  if (wakes) await wakeForStored(state, logId, events);
  if (folds) await foldAndReport(state, logId, events);
}
