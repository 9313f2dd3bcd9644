import { randomUUID } from "node:crypto";
import { STORE_RPC, type LogId, type SessionEventInput } from "@corral/protocol";
import type { Bus, RetryOptions } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { requestRetrying } from "./retry-policy.js";

/**
 * Appends one audit event (a credential's use, a refusal) to a session's or thread's log without holding
 * up the request it describes. A session-store restart is waited out (the idempotency key keeps a
 * retried append from recording twice); a failure to record is logged, never thrown.
 */
export function recordEvent(
  deps: { bus: Bus; logger: Logger; retry: RetryOptions },
  logId: LogId,
  event: SessionEventInput,
): void {
  const append = { session_id: logId, events: [event], idempotency_key: randomUUID() };
  requestRetrying(deps.bus, STORE_RPC.eventsAppend, append, deps.retry).catch((err: unknown) =>
    deps.logger.warn({ err, session_id: logId, type: event.type }, "could not record an event"),
  );
}
