import { SUBJECTS, type LogId, type WakeMessage } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { traceOptions } from "./trace-context.js";

/**
 * Asks for a log to be run again, outside the event path: a liveness sweep found it running with no live
 * lease. `dedupId` makes replicas that find the same orphan at once publish one wake between them.
 */
export async function publishSweepWake(bus: Bus, logId: LogId, dedupId: string): Promise<void> {
  const message: WakeMessage = { session_id: logId, reason: "sweep" };
  await bus.js.publish(SUBJECTS.wake(logId), JSON.stringify(message), { msgID: dedupId, ...traceOptions() });
}
