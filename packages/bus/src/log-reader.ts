import type { SessionEvent } from "@corral/protocol";
import type { LogHead, SessionLog } from "./log.js";
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

/**
 * Reads a positional slice once. Its cost depends on the slice, not on the session's length: the index gives
 * the stream sequence near `from`, and at most one index stride of earlier events is skipped.
 */
async function readSliceOnce(log: SessionLog, sessionId: string, query: SliceQuery): Promise<Slice> {
  const head = await log.head(sessionId);
  if (!head || query.from > head.lastSeq || query.limit <= 0) return { events: [], nextFrom: null, head };
  const wanted = query.types && query.types.length > 0 ? new Set(query.types) : null;
  const events: SessionEvent[] = [];
  let position = query.from;
  for await (const message of log.scan(sessionId, await log.locate(sessionId, query.from), head.streamSeq)) {
    if (message.firstSeq + message.count <= position) continue;
    // Without a type filter only the positions still wanted are decoded.
    const last = wanted ? Number.MAX_SAFE_INTEGER : position + query.limit - events.length - 1;
    for (const event of message.events(position, last)) {
      position = event.seq + 1;
      if (!wanted || wanted.has(event.type)) events.push(event);
      if (events.length >= query.limit) {
        return { events, nextFrom: position > head.lastSeq ? null : position, head };
      }
    }
  }
  return { events, nextFrom: null, head };
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
