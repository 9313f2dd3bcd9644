import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import {
  CorralError,
  LOG_HEADERS,
  LOG_INDEX_STRIDE,
  STREAMS,
  SUBJECTS,
  BUCKETS,
  type SessionEvent,
} from "@corral/protocol";
import type { Bus } from "./connect.js";
import { openBucket } from "./streams.js";
import { readHead, readTail, type LogHead, type LogTail } from "./log-head.js";
import { toLogMessage, type LogMessage } from "./log-message.js";
import { injectTrace } from "./trace-context.js";
import { retrying } from "./retry.js";
import { bucketFailure } from "./retrying-bucket.js";

export type { LogHead, LogTail } from "./log-head.js";
export type { LogMessage } from "./log-message.js";

export interface SessionLog {
  head(sessionId: string): Promise<LogHead | null>;
  /** The head and the log's last message in one read (null for an empty log). */
  tail(sessionId: string): Promise<LogTail | null>;
  append(sessionId: string, events: SessionEvent[], options: AppendOptions): Promise<PubAck>;
  /** Stream sequence to start reading at so that position `from` is not missed. */
  locate(sessionId: string, from: number): Promise<number>;
  /** Messages from stream sequence `start` up to and including `until` (a stream sequence). */
  scan(sessionId: string, start: number, until: number): AsyncGenerator<LogMessage>;
  /** Live messages from stream sequence `start`, catch-up then live, until `signal` aborts. */
  follow(sessionId: string, start: number, signal: AbortSignal): AsyncGenerator<LogMessage>;
  /** Drops the session's events, keeping the last `keep` messages (a tombstone for live followers). */
  purge(sessionId: string, keep?: number): Promise<void>;
}

export interface AppendOptions {
  /** Stream sequence of the session's current last message (0 for an empty session): the OCC guard. */
  expectStreamSeq: number;
  msgId: string;
}

const DIRECT_WALK = 8;
/** How long one append is sent again while JetStream does not answer: short of a caller's 10 s RPC wait. */
const APPEND_DEADLINE_MS = 6_000;
const blockKey = (sessionId: string, block: number) => `${sessionId}.${block}`;

export async function openSessionLog(bus: Bus): Promise<SessionLog> {
  const index = await openBucket(bus, BUCKETS.logIndex);
  return createSessionLog(bus, index);
}

/** A session log's handles: the bus and the position index. */
interface Log {
  bus: Bus;
  index: KV;
}

const head = (l: Log, sessionId: string): Promise<LogHead | null> =>
  readHead(l.bus, sessionId, (start, until) => scan(l, sessionId, start, until));
const tail = (l: Log, sessionId: string): Promise<LogTail | null> =>
  readTail(l.bus, sessionId, (start, until) => scan(l, sessionId, start, until));

/** A stored message as read: null when it holds no valid position (readers skip it, with a warning). */
interface Stored {
  streamSeq: number;
  message: LogMessage | null;
}

const stored = (
  l: Log,
  sessionId: string,
  h: MsgHdrs | undefined,
  seq: number,
  data: Uint8Array,
): Stored => ({
  streamSeq: seq,
  message: toLogMessage({ sessionId, logger: l.bus.logger }, h, seq, data),
});

async function writeCheckpoints(
  l: Log,
  sessionId: string,
  firstSeq: number,
  count: number,
  streamSeq: number,
): Promise<void> {
  const firstBlock = Math.ceil(firstSeq / LOG_INDEX_STRIDE);
  const lastBlock = Math.floor((firstSeq + count - 1) / LOG_INDEX_STRIDE);
  const writes: Promise<number>[] = [];
  for (let block = firstBlock; block <= lastBlock; block++) {
    writes.push(l.index.put(blockKey(sessionId, block), String(streamSeq)));
  }
  await Promise.all(writes);
}

async function append(
  l: Log,
  sessionId: string,
  events: SessionEvent[],
  options: AppendOptions,
): Promise<PubAck> {
  const first = events[0];
  if (!first) throw new CorralError("INVALID_REQUEST", "nothing to append");
  const h = natsHeaders();
  h.set(LOG_HEADERS.firstSeq, String(first.seq));
  h.set(LOG_HEADERS.count, String(events.length));
  h.set(LOG_HEADERS.types, [...new Set(events.map((e) => e.type))].join(","));
  injectTrace(h);
  // Short attempts, each the same message sent again while JetStream does not answer (a leader election,
  // a restart, a moment of overload): the server checks the message id before the sequence guard, so a
  // repeat of one that landed answers "duplicate" with its sequence, and one made during an election
  // lands right after it rather than after a long timeout.
  const body = JSON.stringify({ events });
  const publish = () =>
    l.bus.attempt.js.publish(SUBJECTS.log(sessionId), body, {
      msgID: options.msgId,
      expect: { lastSubjectSequence: options.expectStreamSeq },
      headers: h,
    });
  const ack = await retrying(
    async () => {
      try {
        return await publish();
      } catch (error) {
        throw bucketFailure(error, `log of ${sessionId}`);
      }
    },
    { deadlineMs: APPEND_DEADLINE_MS, maxDelayMs: 500 },
  );
  // Off the append's critical path: a missing checkpoint only makes a later read start further back.
  if (!ack.duplicate) {
    writeCheckpoints(l, sessionId, first.seq, events.length, ack.seq).catch((err: unknown) =>
      l.bus.logger?.warn({ err, session_id: sessionId }, "log index checkpoint not written"),
    );
  }
  return ack;
}

async function checkpoint(l: Log, sessionId: string, block: number): Promise<number | null> {
  const entry = await l.index.get(blockKey(sessionId, block));
  if (!entry || entry.operation !== "PUT") return null;
  return Number(entry.string());
}

async function locate(l: Log, sessionId: string, from: number): Promise<number> {
  // A checkpoint can be missing if a writer died between publish and index write; fall back block by block.
  const wanted = Math.floor(from / LOG_INDEX_STRIDE);
  for (let block = wanted; block >= 0 && wanted - block <= 8; block--) {
    const seq = await checkpoint(l, sessionId, block);
    if (seq !== null) return seq;
  }
  return 1;
}

async function* consume(
  l: Log,
  sessionId: string,
  start: number,
  signal?: AbortSignal,
  batch = 256,
): AsyncGenerator<Stored> {
  const consumer = await l.bus.js.consumers.get(STREAMS.sessions, {
    filter_subjects: SUBJECTS.log(sessionId),
    opt_start_seq: Math.max(1, start),
  });
  // Short pulls with 1 s heartbeats: a tail whose consumer's leader moved (a node lost) resumes in seconds.
  const messages = await consumer.consume({ max_messages: batch, expires: 4000, idle_heartbeat: 1000 });
  const onAbort = () => void messages.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for await (const m of messages) yield stored(l, sessionId, m.headers, m.seq, m.data);
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await messages.close();
    consumer.delete().catch(() => undefined);
  }
}

/** Short reads walk with direct gets (no consumer to create); long ones switch to an ordered consumer. */
async function* scan(l: Log, sessionId: string, start: number, until: number): AsyncGenerator<LogMessage> {
  let next = start;
  for (let walked = 0; walked < DIRECT_WALK && next <= until; walked++) {
    const msg = await l.bus.jsm.direct.getMessage(STREAMS.sessions, {
      seq: next,
      next_by_subj: SUBJECTS.log(sessionId),
    });
    if (!msg || msg.seq > until) return;
    const { message } = stored(l, sessionId, msg.header, msg.seq, msg.data);
    if (message) yield message;
    next = msg.seq + 1;
  }
  if (next > until) return;
  for await (const { streamSeq, message } of consume(l, sessionId, next, undefined, 64)) {
    if (message) yield message;
    if (streamSeq >= until) return;
  }
}

async function* follow(
  l: Log,
  sessionId: string,
  start: number,
  signal: AbortSignal,
): AsyncGenerator<LogMessage> {
  if (signal.aborted) return;
  for await (const { message } of consume(l, sessionId, start, signal)) if (message) yield message;
}

async function purge(l: Log, sessionId: string, keep = 0): Promise<void> {
  await l.bus.jsm.streams.purge(STREAMS.sessions, {
    filter: SUBJECTS.log(sessionId),
    ...(keep > 0 && { keep }),
  });
  for await (const key of await l.index.keys(`${sessionId}.*`)) await l.index.purge(key);
}

function createSessionLog(bus: Bus, index: KV): SessionLog {
  const l: Log = { bus, index };
  return {
    head: (sessionId) => head(l, sessionId),
    tail: (sessionId) => tail(l, sessionId),
    append: (sessionId, events, options) => append(l, sessionId, events, options),
    locate: (sessionId, from) => locate(l, sessionId, from),
    scan: (sessionId, start, until) => scan(l, sessionId, start, until),
    follow: (sessionId, start, signal) => follow(l, sessionId, start, signal),
    purge: (sessionId, keep) => purge(l, sessionId, keep),
  };
}

/** True when an append lost the optimistic-concurrency race (someone else appended first). */
export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10071;
}
