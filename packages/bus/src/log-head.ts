import { STREAMS, SUBJECTS } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { toLogMessage, type LogMessage } from "./log-message.js";

/**
 * Where a session's log ends: the position of its last event (-1 when it has none), and the stream
 * sequence of the subject's last message (the optimistic-concurrency guard of the next append, even when
 * that message holds no position).
 */
export interface LogHead {
  lastSeq: number;
  streamSeq: number;
}

/** Messages of the log from stream sequence `start` up to and including `until`. */
export type LogWalk = (start: number, until: number) => AsyncIterable<LogMessage>;

/** Stream sequences looked back over at most, in windows growing fourfold from one message. */
const MAX_LOOKBACK_WINDOWS = 24;

const endOf = (m: LogMessage) => m.firstSeq + m.count - 1;

/** The last valid message stored before stream sequence `before`, or null when there is none. */
async function lastValidBefore(walk: LogWalk, before: number): Promise<LogMessage | null> {
  let until = before - 1;
  for (let span = 1, window = 0; until >= 1 && window < MAX_LOOKBACK_WINDOWS; span *= 4, window++) {
    const start = Math.max(1, until - span + 1);
    let found: LogMessage | null = null;
    for await (const m of walk(start, until)) if (m.valid()) found = m;
    if (found) return found;
    until = start - 1;
  }
  return null;
}

/** The head with the subject's last message, when that message is valid (a read can often stop there). */
export interface LogTail {
  head: LogHead;
  last: LogMessage | null;
}

/**
 * The tail, judged from the subject's last message. A message without a valid position there (which no
 * Corral writer makes) is passed over to the last valid one before it, so it neither hides the history
 * nor moves the next position.
 */
export async function readTail(bus: Bus, sessionId: string, walk: LogWalk): Promise<LogTail | null> {
  const msg = await bus.attempt.jsm.direct.getMessage(STREAMS.sessions, {
    last_by_subj: SUBJECTS.log(sessionId),
  });
  if (!msg) return null;
  const last = toLogMessage({ sessionId, logger: bus.logger }, msg.header, msg.seq, msg.data);
  if (last?.valid()) return { head: { lastSeq: endOf(last), streamSeq: msg.seq }, last };
  const before = await lastValidBefore(walk, msg.seq);
  return { head: { lastSeq: before ? endOf(before) : -1, streamSeq: msg.seq }, last: null };
}

/** Where the log ends (see readTail), without keeping its last message. */
export async function readHead(bus: Bus, sessionId: string, walk: LogWalk): Promise<LogHead | null> {
  return (await readTail(bus, sessionId, walk))?.head ?? null;
}
