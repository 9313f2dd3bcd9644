import { STORE_RPC, type LogId, type SessionEventInput } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";

/**
 * Appends one audit event (a credential's use, a refusal) to a session's or thread's log without holding
 * up the request it describes; a failure to record is logged, never thrown.
 */
export function recordEvent(
  deps: { bus: Bus; logger: Logger },
  logId: LogId,
  event: SessionEventInput,
): void {
  request(deps.bus, STORE_RPC.eventsAppend, { session_id: logId, events: [event] }).catch((err: unknown) =>
    deps.logger.warn({ err, session_id: logId, type: event.type }, "could not record an event"),
  );
}
