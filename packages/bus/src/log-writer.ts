import {
  CorralError,
  newId,
  SUBJECTS,
  STREAMS,
  LogEnvelope,
  MAX_PAYLOAD_BYTES,
  type SessionEvent,
  type SessionEventInput,
  type WakeMessage,
  type LogId,
} from "@corral/protocol";
import { headers as natsHeaders } from "@nats-io/transport-node";
import type { Bus } from "./connect.js";
import { isWrongLastSequence, type LogHead, type SessionLog } from "./log.js";
import { injectTrace, traceOptions } from "./trace-context.js";

export interface AppendInput {
  sessionId: string;
  events: SessionEventInput[];
  expectedSeq?: number | undefined;
  idempotencyKey?: string | undefined;
  /** Ids chosen in advance (e.g. announced in a live preview); others are generated. */
  ids?: readonly (string | undefined)[] | undefined;
  /**
   * Checked before every attempt: a writer that may no longer write this log (its lease may have passed to
   * another replica) stops with a `fenced` CONFLICT instead of retrying into a log someone else now writes.
   */
  fence?: (() => boolean) | undefined;
}

export interface LogWriter {
  /** Appends one batch atomically and returns the stored events (the first result again for a retried key). */
  append(input: AppendInput): Promise<SessionEvent[]>;
  /**
   * Publishes the wake for every `user.*` / `system.message` event (idempotent: the event id dedups it).
   * `confirm` waits for JetStream's ack; without it the publish costs no round trip.
   */
  wake(sessionId: LogId, events: readonly SessionEvent[], options?: { confirm?: boolean }): Promise<void>;
  forget(sessionId: string): void;
}

const ENVELOPE_HEADROOM_BYTES = 4096;

/** Events that give a session something to do: client input, and a sub-agent thread's reply to its coordinator. */
export const wakesSession = (type: string) =>
  type.startsWith("user.") || type === "system.message" || type === "agent.thread_message_received";

/** A writer's state: where each log it wrote to ends, and the queue of appends per log. */
interface Writer {
  bus: Bus;
  log: SessionLog;
  heads: Map<string, LogHead | null>;
  queues: Map<string, Promise<unknown>>;
}

function serialize<T>(w: Writer, sessionId: string, task: () => Promise<T>): Promise<T> {
  const previous = w.queues.get(sessionId) ?? Promise.resolve();
  const run = previous.then(task, task);
  const tail = run.catch(() => undefined);
  w.queues.set(sessionId, tail);
  void tail.then(() => w.queues.get(sessionId) === tail && w.queues.delete(sessionId));
  return run;
}

/** Heads remembered at most; the least recently written are read again when next needed. */
const MAX_HEADS = 10_000;

function rememberHead(w: Writer, sessionId: string, head: LogHead | null): void {
  w.heads.delete(sessionId);
  if (w.heads.size >= MAX_HEADS) w.heads.delete(w.heads.keys().next().value!);
  w.heads.set(sessionId, head);
}

/**
 * Where the log ends, as last known. A log this writer has not seen is taken to be empty at first (a new
 * session's first send saves a read): the append's guard then fails if it is not, and the head is read.
 */
async function currentHead(w: Writer, sessionId: string, refresh: boolean): Promise<LogHead | null> {
  if (!refresh) return w.heads.get(sessionId) ?? null;
  const head = await w.log.head(sessionId);
  rememberHead(w, sessionId, head);
  return head;
}

function stamp(inputs: SessionEventInput[], ids: readonly string[], firstSeq: number): SessionEvent[] {
  const now = new Date().toISOString();
  return inputs.map(
    (input, i) => ({ ...input, id: ids[i]!, seq: firstSeq + i, processed_at: now }) as SessionEvent,
  );
}

async function storedBatch(w: Writer, streamSeq: number): Promise<SessionEvent[]> {
  const msg = await w.bus.attempt.jsm.direct.getMessage(STREAMS.sessions, { seq: streamSeq });
  if (!msg) throw new CorralError("INTERNAL", "a deduplicated append's original batch is gone");
  return LogEnvelope.parse(msg.json()).events;
}

function conflict(expected: number, next: number): CorralError {
  return new CorralError("CONFLICT", `expected_seq is ${expected} but the next position is ${next}`, {
    retryable: false,
  });
}

/** Where the batch goes: the next position, and whether it is not where the caller expected it. */
async function placement(w: Writer, input: AppendInput, refresh: boolean) {
  let head = await currentHead(w, input.sessionId, refresh);
  let nextSeq = head ? head.lastSeq + 1 : 0;
  if (input.expectedSeq !== undefined && input.expectedSeq !== nextSeq && !refresh) {
    // The cached head may be behind other writers; judge the expectation against the real one.
    head = await currentHead(w, input.sessionId, true);
    nextSeq = head ? head.lastSeq + 1 : 0;
  }
  const misplaced = input.expectedSeq !== undefined && input.expectedSeq !== nextSeq;
  if (misplaced && !input.idempotencyKey) throw conflict(input.expectedSeq!, nextSeq);
  return { head, nextSeq, misplaced };
}

/** One attempt; throws the server's wrong-last-sequence error when another writer got there first. */
async function publishOnce(
  w: Writer,
  input: AppendInput,
  ids: readonly string[],
  refresh: boolean,
): Promise<SessionEvent[]> {
  const { head, nextSeq, misplaced } = await placement(w, input, refresh);
  const events = stamp(input.events, ids, nextSeq);
  if (Buffer.byteLength(JSON.stringify({ events })) > MAX_PAYLOAD_BYTES - ENVELOPE_HEADROOM_BYTES) {
    throw new CorralError(
      "PAYLOAD_TOO_LARGE",
      "the batch is larger than one log message may be; send fewer or smaller events",
    );
  }
  // Not `<session>:<seq>`: two writers racing for one position would share that id, and the server's
  // dedup check (which runs before the sequence guard) would then drop the loser's batch silently.
  const msgId = `${input.sessionId}:${input.idempotencyKey ? `k:${input.idempotencyKey}` : ids[0]}`;
  // A misplaced retry may still be a duplicate: the server checks the message id before the guard,
  // so an impossible guard answers "duplicate" for a retry and "wrong last sequence" otherwise.
  const expectStreamSeq = misplaced ? Number.MAX_SAFE_INTEGER : (head?.streamSeq ?? 0);
  const ack = await w.log.append(input.sessionId, events, { expectStreamSeq, msgId });
  if (ack.duplicate) return storedBatch(w, ack.seq);
  rememberHead(w, input.sessionId, { lastSeq: nextSeq + events.length - 1, streamSeq: ack.seq });
  return events;
}

async function publish(w: Writer, input: AppendInput): Promise<SessionEvent[]> {
  const ids = input.events.map((_, i) => input.ids?.[i] ?? newId("event"));
  for (let attempt = 0; attempt < 50; attempt++) {
    if (input.fence && !input.fence())
      throw new CorralError("CONFLICT", "fenced: this writer may no longer write the log");
    try {
      return await publishOnce(w, input, ids, attempt > 0);
    } catch (error) {
      if (!isWrongLastSequence(error)) throw error;
      w.heads.delete(input.sessionId);
      if (input.expectedSeq !== undefined) {
        const head = await currentHead(w, input.sessionId, true);
        const next = head ? head.lastSeq + 1 : 0;
        if (next !== input.expectedSeq) throw conflict(input.expectedSeq, next);
      }
    }
  }
  throw new CorralError("CONFLICT", "the session is being appended to too fast to get a turn; retry");
}

async function wake(
  w: Writer,
  sessionId: LogId,
  events: readonly SessionEvent[],
  options: { confirm?: boolean } = {},
): Promise<void> {
  for (const event of events) {
    if (!wakesSession(event.type)) continue;
    const message = JSON.stringify({
      session_id: sessionId,
      event_id: event.id,
      seq: event.seq,
    } satisfies WakeMessage);
    if (options.confirm) {
      // Repeatable (the id), and its caller (the projector) tries again: a short attempt.
      await w.bus.attempt.js.publish(SUBJECTS.wake(sessionId), message, {
        msgID: event.id,
        ...traceOptions(),
      });
    } else {
      // Fire and forget: the stream still stores it (and dedups by the id header); the projector's
      // confirmed wake covers the rare loss.
      const h = natsHeaders();
      h.set("Nats-Msg-Id", event.id);
      injectTrace(h);
      w.bus.nc.publish(SUBJECTS.wake(sessionId), message, { headers: h });
    }
  }
}

/**
 * The one way to write a session log, used by the session-store: the only service that may publish on
 * `corral.log.>` (runners append through its `log.append`). Appends batches to session logs: one message per batch,
 * guarded by the session's last stream sequence so two writers (in this process or in another replica)
 * can never interleave, and deduplicated by message id so a retried append is a no-op that returns the
 * events stored the first time.
 */
export function createLogWriter(deps: { bus: Bus; log: SessionLog }): LogWriter {
  const w: Writer = { ...deps, heads: new Map(), queues: new Map() };
  return {
    append: (input) => serialize(w, input.sessionId, () => publish(w, input)),
    wake: (sessionId, events, options) => wake(w, sessionId, events, options),
    forget(sessionId) {
      w.heads.delete(sessionId);
    },
  };
}
