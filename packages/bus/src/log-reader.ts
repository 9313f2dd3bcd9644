import type { SessionEvent } from "@corral/protocol";
import type { LogHead, LogMessage, SessionLog } from "./log.js";
import { retrying } from "./retry.js";
import { bucketFailure } from "./retrying-bucket.js";

/** A slice read rides out this much of an outage by default: short of a caller's 10 s RPC wait. */
const SLICE_DEADLINE_MS = 8_000;

export interface SliceQuery {
  from: number;
  limit: number;
  types?: readonly string[] | undefined;
}

export interface Slice {
  events: SessionEvent[];
  /** Position to continue from, or null when the slice reached the end of the log. */
  nextFrom: number | null;
  head: LogHead | null;
}

/** Collects the slice's events from messages in log order; `take` says when the slice is full. */
function slicer(query: SliceQuery, head: LogHead) {
  const wanted = query.types && query.types.length > 0 ? new Set(query.types) : null;
  const events: SessionEvent[] = [];
  let position = query.from;
  let full = false;
  return {
    take(message: LogMessage): boolean {
      if (message.firstSeq + message.count <= position) return false;
      // Without a type filter only the positions still wanted are decoded.
      const last = wanted ? Number.MAX_SAFE_INTEGER : position + query.limit - events.length - 1;
      for (const event of message.events(position, last)) {
        position = event.seq + 1;
        if (!wanted || wanted.has(event.type)) events.push(event);
        if (events.length >= query.limit) return (full = true);
      }
      return false;
    },
    /** A slice that did not fill up reached the end of the log. */
    slice: (): Slice => ({ events, nextFrom: full && position <= head.lastSeq ? position : null, head }),
  };
}

/**
 * Reads a positional slice once. Its cost depends on the slice, not on the session's length: the index gives
 * the stream sequence near `from`, and at most one index stride of earlier events is skipped. A slice that
 * starts within the log's last message (a new session's first read, a catch-up after one append) costs
 * the one read that finds the head.
 */
async function readSliceOnce(log: SessionLog, sessionId: string, query: SliceQuery): Promise<Slice> {
  const tail = await log.tail(sessionId);
  const head = tail?.head ?? null;
  if (!tail || !head || query.from > head.lastSeq || query.limit <= 0)
    return { events: [], nextFrom: null, head };
  const slice = slicer(query, head);
  const messages =
    tail.last && tail.last.firstSeq <= query.from
      ? [tail.last]
      : log.scan(sessionId, await log.locate(sessionId, query.from), head.streamSeq);
  for await (const message of messages) if (slice.take(message)) break;
  return slice.slice();
}

/**
 * Reads a positional slice (see readSliceOnce), asking again while JetStream does not answer (a leader
 * election, a restart) for up to `deadlineMs`: a read is always safe to repeat, and a reader that gave up
 * at the first short attempt would turn an election into a failed run or request.
 */
export function readSlice(
  log: SessionLog,
  sessionId: string,
  query: SliceQuery,
  options: { deadlineMs?: number } = {},
): Promise<Slice> {
  return retrying(
    async () => {
      try {
        return await readSliceOnce(log, sessionId, query);
      } catch (error) {
        throw bucketFailure(error, `log of ${sessionId}`);
      }
    },
    { deadlineMs: options.deadlineMs ?? SLICE_DEADLINE_MS, maxDelayMs: 1000 },
  );
}

/** Every event from position `from` on, first the stored ones then live ones, with no gap and no repeat. */
export async function* tailEvents(
  log: SessionLog,
  sessionId: string,
  from: number,
  signal: AbortSignal,
): AsyncGenerator<SessionEvent> {
  let next = from;
  const head = await log.head(sessionId);
  const start = head && from > head.lastSeq ? head.streamSeq + 1 : await log.locate(sessionId, from);
  for await (const message of log.follow(sessionId, start, signal)) {
    if (message.firstSeq + message.count <= next) continue;
    for (const event of message.events()) {
      if (event.seq < next) continue;
      next = event.seq + 1;
      yield event;
    }
  }
}
