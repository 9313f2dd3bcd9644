import { CorralError, WORKSPACE_HEADER } from "@corral/protocol";
import { request, retrying, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { Call } from "./routes/index.js";

export interface CallDeps {
  bus: Bus;
  logger: Logger;
  /** How long a retryable call is tried again before its error reaches the client. */
  retryMs: number;
}

export interface CallScope {
  /** Reads (GET) are always safe to retry; writes only when the call says it is idempotent. */
  read: boolean;
  /** Aborted when the client goes away: nobody is waiting for the answer any more. */
  signal: AbortSignal;
  requestId: string;
  /** The workspace of the request's key: the store answers for that workspace alone. */
  workspace?: string | undefined;
}

/** A neighbour restarting: no one answers, or no answer in time. Anything else is an answer. */
const isTransient = (error: unknown) =>
  error instanceof CorralError && (error.code === "UNAVAILABLE" || error.code === "TIMEOUT");

/** Carries a final error through `retrying`, which would otherwise retry every retryable code. */
class Final {
  constructor(readonly error: unknown) {}
}

/**
 * The `call` one request's handler uses: RPCs that fail because a neighbour is restarting are tried again
 * with capped backoff and jitter, so the client sees a short delay rather than a 503.
 */
export function createCall(deps: CallDeps, scope: CallScope): Call {
  const once =
    <T>(attempt: () => Promise<T>) =>
    async () => {
      try {
        return await attempt();
      } catch (error) {
        throw isTransient(error) ? error : new Final(error);
      }
    };
  const sent = scope.workspace ? { headers: { [WORKSPACE_HEADER]: scope.workspace } } : {};
  return async (def, body, options = {}) => {
    if (!scope.read && !options.idempotent) return request(deps.bus, def, body, sent);
    try {
      return await retrying(
        once(() => request(deps.bus, def, body, sent)),
        {
          deadlineMs: deps.retryMs,
          signal: scope.signal,
          onRetry: (error, attempt, delay_ms) =>
            deps.logger.info(
              { subject: def.subject, attempt, delay_ms, request_id: scope.requestId, code: error.code },
              "retrying a call to a service that did not answer",
            ),
        },
      );
    } catch (error) {
      throw error instanceof Final ? error.error : error;
    }
  };
}
