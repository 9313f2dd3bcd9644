import { isId, type LogId, type SessionEvent } from "@corral/protocol";
import type { AppendInput } from "@corral/bus";
import type { StoreState } from "./state.js";
import { foldIntoSession } from "./records/fold-into-records.js";
import { meteredAppend } from "./metrics.js";

/**
 * Appends through the replica's one log writer, then wakes and folds before answering, so an RPC caller
 * reads its own writes. The projector repeats both, idempotently, for writers that append directly.
 */
export async function appendToLog(
  state: StoreState,
  input: AppendInput & { sessionId: LogId },
): Promise<SessionEvent[]> {
  const events = await meteredAppend(state.writer, input, "api");
  await state.writer.wake(input.sessionId, events);
  if (isId("session", input.sessionId)) await foldIntoSession(state, input.sessionId, events);
  return events;
}
