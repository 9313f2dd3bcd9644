import {
  CorralError,
  LOG_APPEND_ATTEMPT_MS,
  STORE_RPC,
  newId,
  type LogId,
  type SessionEvent,
  type SessionEventInput,
} from "@corral/protocol";
import { request, retrying, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";

/** One append of a run to the log it leases. */
export interface RunAppend {
  logId: LogId;
  events: SessionEventInput[];
  /** The position the first event must get: the run's view of the log. */
  expectedSeq: number;
  /** Ids chosen in advance (e.g. announced in a live preview); the others are made here, once. */
  ids?: readonly (string | undefined)[] | undefined;
  /**
   * Checked before every attempt: false once the run may no longer write the log. It may wait (a lease
   * whose renewal is delayed by a leader election) and answer once it knows.
   */
  fence: () => boolean | Promise<boolean>;
}

export interface LogAppender {
  /** The events as stored, at their positions; CONFLICT when the log is no longer where the run expected. */
  append(input: RunAppend): Promise<SessionEvent[]>;
}

export interface AppenderDeps {
  bus: Bus;
  /** This replica's lease holder name: the store refuses an append the log's lease does not name. */
  holder: string;
  /** How long a store that does not answer (restarting, electing a leader) is waited for. */
  retryUnavailableMs: number;
  logger?: Logger | undefined;
}

/** Failures after which the same request is sent again: it is the same append (same position, same ids). */
const RESEND = new Set(["UNAVAILABLE", "TIMEOUT", "INTERNAL"]);

async function appendOnce(deps: AppenderDeps, input: RunAppend, eventIds: string[]): Promise<SessionEvent[]> {
  const body = {
    log_id: input.logId,
    expected_seq: input.expectedSeq,
    events: input.events,
    event_ids: eventIds,
    holder: deps.holder,
  };
  return (await request(deps.bus, STORE_RPC.logAppend, body, { timeoutMs: LOG_APPEND_ATTEMPT_MS })).events;
}

/**
 * Appends through the session-store (`log.append`), the only writer of the logs: one RPC hop, and the
 * store's one JetStream round trip. Every id is fixed before the first attempt, so a request re-sent
 * after a lost reply or a store restart is recognised by the store and answered with the events stored
 * the first time: never stored twice, never taken for a conflict.
 */
export function createLogAppender(deps: AppenderDeps): LogAppender {
  return {
    append(input) {
      const eventIds = input.events.map((_, i) => input.ids?.[i] ?? newId("event"));
      return retrying(
        async () => {
          if (!(await input.fence()))
            throw new CorralError("CONFLICT", "fenced: this runner may no longer write the log");
          return appendOnce(deps, input, eventIds);
        },
        {
          deadlineMs: deps.retryUnavailableMs,
          maxDelayMs: 1000,
          retryOn: (error) => RESEND.has(error.code),
          onRetry: (error, attempt) =>
            deps.logger?.warn(
              { session_id: input.logId, attempt, code: error.code },
              "log append: sending again",
            ),
        },
      );
    },
  };
}
