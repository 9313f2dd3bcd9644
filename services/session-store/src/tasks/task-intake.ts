import { STREAMS, SUBJECTS, TASKS_CONSUMER } from "@corral/protocol";
import { consumeWorkQueue, type WorkItem, type WorkLoop, type WorkOutcome } from "@corral/bus";
import type { StoreState } from "../state.js";
import { startTask } from "./start-task.js";
import { taskIdOf } from "./task-record.js";

const RETRY_MS = 1000;

async function handleTask(state: StoreState, item: WorkItem): Promise<WorkOutcome> {
  let raw: unknown;
  try {
    raw = item.json();
  } catch {
    state.logger.warn({ seq: item.seq }, "task is not JSON; dropped");
    return "drop";
  }
  try {
    await startTask(state, raw);
    return "ack";
  } catch (error) {
    state.logger.error({ err: error, task_id: taskIdOf(raw) }, "task failed; will retry");
    return { retryInMs: RETRY_MS };
  }
}

/**
 * Consumes `corral.tasks.submit` (a work queue shared by every replica), several tasks at once; two
 * copies of one task id (a client's retry) are taken one after the other, so the second finds the first.
 */
export function startTaskIntake(state: StoreState): Promise<WorkLoop> {
  const options = {
    stream: STREAMS.tasks,
    consumer: TASKS_CONSUMER,
    filterSubject: SUBJECTS.tasksSubmit,
    ackWaitMs: 30_000,
    maxAckPending: 64,
    batch: 16,
    onStop: "leave" as const,
    concurrency: 8,
    orderKey: (item: WorkItem) => {
      try {
        return taskIdOf(item.json()) ?? `seq:${item.seq}`;
      } catch {
        return `seq:${item.seq}`;
      }
    },
  };
  return consumeWorkQueue(state.bus, options, (item) => handleTask(state, item));
}
