import type { MsgHdrs } from "@nats-io/transport-node";
import { LOG_HEADERS, SessionEvent } from "@corral/protocol";
import { z } from "zod";
import type { Logger } from "@corral/logger";

/** One stored message of a log: a batch of events at positions [firstSeq, firstSeq + count). */
export interface LogMessage {
  firstSeq: number;
  count: number;
  streamSeq: number;
  /**
   * True when the body is the batch its headers announce (every event valid, at the positions the
   * headers name). Decided once, on first use.
   */
  valid(): boolean;
  /** The batch's events with positions in [from, to]; none for a message that is not `valid()`. */
  events: (from?: number, to?: number) => SessionEvent[];
}

/** Most events one message may hold (an append carries at most 1,000). */
const MAX_BATCH = 10_000;
const Position = z.string().regex(/^\d{1,15}$/);
const RawEnvelope = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) });

/** A message's position headers, or null when they are missing or malformed. */
function positionOf(
  header: (name: string) => string | undefined,
): { firstSeq: number; count: number } | null {
  const int = (name: string) => {
    const parsed = Position.safeParse(header(name));
    return parsed.success ? Number(parsed.data) : null;
  };
  const firstSeq = int(LOG_HEADERS.firstSeq);
  const count = int(LOG_HEADERS.count);
  if (firstSeq === null || count === null || count < 1 || count > MAX_BATCH) return null;
  return { firstSeq, count };
}

/** The batch in a decoded body, or null when it is not the one the headers announce. */
function batchAt(json: unknown, firstSeq: number, count: number): SessionEvent[] | null {
  const raw = RawEnvelope.safeParse(json);
  if (!raw.success || raw.data.events.length !== count) return null;
  const events: SessionEvent[] = [];
  for (const [i, item] of raw.data.events.entries()) {
    const event = SessionEvent.safeParse(item);
    if (!event.success || event.data.seq !== firstSeq + i) return null;
    events.push(event.data);
  }
  return events;
}

function parseJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}

/**
 * The events of a stored log message whose headers and body agree, or null for one without a valid
 * position (for a consumer that reads the stream itself, such as the session-store's projector).
 */
export function positionedBatch(
  header: (name: string) => string | undefined,
  json: unknown,
): SessionEvent[] | null {
  const position = positionOf(header);
  return position && batchAt(json, position.firstSeq, position.count);
}

export interface MessageSource {
  sessionId: string;
  logger?: Logger | undefined;
}

const ignored = (source: MessageSource, streamSeq: number, why: string) =>
  source.logger?.warn(
    { session_id: source.sessionId, stream_seq: streamSeq, why },
    "log message without a valid position ignored",
  );

/**
 * A stored message as a reader sees it, or null (with a warning) when it lacks valid position headers:
 * no Corral writer made it, so it holds no position and is skipped. A body that is not the announced
 * batch makes the message invalid the same way, once a reader looks at it.
 */
export function toLogMessage(
  source: MessageSource,
  h: MsgHdrs | undefined,
  streamSeq: number,
  data: Uint8Array,
): LogMessage | null {
  const position = positionOf((name) => h?.get(name));
  if (!position) {
    ignored(source, streamSeq, "position headers missing or malformed");
    return null;
  }
  const { firstSeq, count } = position;
  let batch: SessionEvent[] | null | undefined;
  const decoded = () => {
    if (batch !== undefined) return batch;
    batch = batchAt(parseJson(data), firstSeq, count);
    if (!batch) ignored(source, streamSeq, "body is not the batch its headers announce");
    return batch;
  };
  return {
    firstSeq,
    count,
    streamSeq,
    valid: () => decoded() !== null,
    events: (from = firstSeq, to = Number.MAX_SAFE_INTEGER) =>
      (decoded() ?? []).slice(Math.max(0, from - firstSeq), Math.max(0, to - firstSeq + 1)),
  };
}
