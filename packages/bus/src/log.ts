import { headers as natsHeaders, type MsgHdrs } from "@nats-io/transport-node";
import { JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import {
  CorralError,
  LogEnvelope,
  LOG_HEADERS,
  LOG_INDEX_STRIDE,
  STREAMS,
  SUBJECTS,
  BUCKETS,
  type SessionEvent,
} from "@corral/protocol";
import type { Bus } from "./connect.js";
import { openBucket } from "./streams.js";

/** Where a session's log ends: the position of its last event and the stream sequence holding it. */
export interface LogHead {
  lastSeq: number;
  streamSeq: number;
}

export interface LogMessage {
  firstSeq: number;
  count: number;
  streamSeq: number;
  events: () => SessionEvent[];
}

function headerInt(h: MsgHdrs | undefined, name: string): number {
  const value = Number(h?.get(name));
  if (!Number.isInteger(value) || value < 0) throw new CorralError("INTERNAL", `log message lacks header ${name}`);
  return value;
}

function decodeEnvelope(data: Uint8Array): SessionEvent[] {
  return LogEnvelope.parse(JSON.parse(new TextDecoder().decode(data))).events;
}

function toLogMessage(h: MsgHdrs | undefined, streamSeq: number, data: Uint8Array): LogMessage {
  return { firstSeq: headerInt(h, LOG_HEADERS.firstSeq), count: headerInt(h, LOG_HEADERS.count), streamSeq, events: () => decodeEnvelope(data) };
}

export interface SessionLog {
  head(sessionId: string): Promise<LogHead | null>;
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

const blockKey = (sessionId: string, block: number) => `${sessionId}.${block}`;

export async function openSessionLog(bus: Bus): Promise<SessionLog> {
  const index = await openBucket(bus, BUCKETS.logIndex);
  return createSessionLog(bus, index);
}

function createSessionLog(bus: Bus, index: KV): SessionLog {
  async function head(sessionId: string): Promise<LogHead | null> {
    const msg = await bus.jsm.direct.getMessage(STREAMS.sessions, { last_by_subj: SUBJECTS.log(sessionId) });
    if (!msg) return null;
    const m = toLogMessage(msg.header, msg.seq, msg.data);
    return { lastSeq: m.firstSeq + m.count - 1, streamSeq: msg.seq };
  }

  async function writeCheckpoints(sessionId: string, firstSeq: number, count: number, streamSeq: number): Promise<void> {
    const firstBlock = Math.ceil(firstSeq / LOG_INDEX_STRIDE);
    const lastBlock = Math.floor((firstSeq + count - 1) / LOG_INDEX_STRIDE);
    const writes: Promise<number>[] = [];
    for (let block = firstBlock; block <= lastBlock; block++) {
      writes.push(index.put(blockKey(sessionId, block), String(streamSeq)));
    }
    await Promise.all(writes);
  }

  async function append(sessionId: string, events: SessionEvent[], options: AppendOptions): Promise<PubAck> {
    const first = events[0];
    if (!first) throw new CorralError("INVALID_REQUEST", "nothing to append");
    const h = natsHeaders();
    h.set(LOG_HEADERS.firstSeq, String(first.seq));
    h.set(LOG_HEADERS.count, String(events.length));
    const ack = await bus.js.publish(SUBJECTS.log(sessionId), JSON.stringify({ events }), {
      msgID: options.msgId,
      expect: { lastSubjectSequence: options.expectStreamSeq },
      headers: h,
    });
    if (!ack.duplicate) await writeCheckpoints(sessionId, first.seq, events.length, ack.seq);
    return ack;
  }

  async function checkpoint(sessionId: string, block: number): Promise<number | null> {
    const entry = await index.get(blockKey(sessionId, block));
    if (!entry || entry.operation !== "PUT") return null;
    return Number(entry.string());
  }

  async function locate(sessionId: string, from: number): Promise<number> {
    // A checkpoint can be missing if a writer died between publish and index write; fall back block by block.
    const wanted = Math.floor(from / LOG_INDEX_STRIDE);
    for (let block = wanted; block >= 0 && wanted - block <= 8; block--) {
      const seq = await checkpoint(sessionId, block);
      if (seq !== null) return seq;
    }
    return 1;
  }

  async function* consume(sessionId: string, start: number, signal?: AbortSignal): AsyncGenerator<LogMessage> {
    const consumer = await bus.js.consumers.get(STREAMS.sessions, {
      filter_subjects: SUBJECTS.log(sessionId),
      opt_start_seq: Math.max(1, start),
    });
    const messages = await consumer.consume({ max_messages: 256 });
    const onAbort = () => void messages.close();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      for await (const m of messages) yield toLogMessage(m.headers, m.seq, m.data);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      await messages.close();
      consumer.delete().catch(() => undefined);
    }
  }

  async function* scan(sessionId: string, start: number, until: number): AsyncGenerator<LogMessage> {
    if (start > until) return;
    for await (const m of consume(sessionId, start)) {
      yield m;
      if (m.streamSeq >= until) return;
    }
  }

  async function* follow(sessionId: string, start: number, signal: AbortSignal): AsyncGenerator<LogMessage> {
    if (signal.aborted) return;
    yield* consume(sessionId, start, signal);
  }

  async function purge(sessionId: string, keep = 0): Promise<void> {
    await bus.jsm.streams.purge(STREAMS.sessions, { filter: SUBJECTS.log(sessionId), ...(keep > 0 && { keep }) });
    for await (const key of await index.keys(`${sessionId}.*`)) await index.purge(key);
  }

  return { head, append, locate, scan, follow, purge };
}

/** True when an append lost the optimistic-concurrency race (someone else appended first). */
export function isWrongLastSequence(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.code === 10071;
}
