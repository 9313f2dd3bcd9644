import type { ServerResponse } from "node:http";
import { SUBJECTS, type SessionEvent } from "@corral/protocol";
import { readSlice, tailEvents, type Bus, type SessionLog, type Subscription } from "@corral/bus";
import type { Logger } from "@corral/logger";

/** One SSE frame per stored event; its `id` is the event's position, which `Last-Event-ID` resumes from. */
export const eventFrame = (event: SessionEvent) =>
  `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
const frame = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;

export interface FeedOptions {
  /** Recent frames kept per session, so a follower that joins or resumes close behind reads no history. */
  bufferEvents: number;
  /** A follower whose socket has this much unsent data is cut off; it resumes with Last-Event-ID. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export type DeltaType = "agent.message" | "agent.thinking";

interface Follower {
  res: ServerResponse;
  /** The next position this follower must receive. */
  next: number;
  deltas: ReadonlySet<DeltaType>;
  previews: Set<string>;
}

interface Frame {
  seq: number;
  text: string;
  last: boolean;
}

/**
 * All the followers of one session in this gateway share one log consumer: each new event is read from
 * NATS and serialised once, then written to every socket. Deltas come from `corral.delta.<sid>`, a core
 * NATS subject; they are previews, never replayed.
 */
class SessionFeed {
  /** Followers receiving live frames. */
  private readonly followers = new Set<Follower>();
  /** Every follower, catching up or live: all are cut off when the feed ends. */
  private readonly attached = new Set<Follower>();
  private readonly frames: Frame[] = [];
  private readonly abort = new AbortController();
  private deltaSub: Subscription | null = null;
  private users = 0;
  /** The next position the live tail will deliver. */
  private nextSeq: number;
  private ended = false;

  constructor(
    private readonly deps: {
      bus: Bus;
      log: SessionLog;
      logger: Logger;
      options: FeedOptions;
      onIdle: () => void;
    },
    readonly sessionId: string,
    start: number,
  ) {
    this.nextSeq = start;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      for await (const event of tailEvents(this.deps.log, this.sessionId, this.nextSeq, this.abort.signal)) {
        this.push({ seq: event.seq, text: eventFrame(event), last: event.type === "session.deleted" });
      }
    } catch (err) {
      if (!this.abort.signal.aborted)
        this.deps.logger.warn(
          { err, session_id: this.sessionId },
          "session feed failed; followers must resume",
        );
    } finally {
      // Followers reconnect with Last-Event-ID and lose nothing.
      this.close();
    }
  }

  private push(f: Frame): void {
    this.nextSeq = f.seq + 1;
    this.frames.push(f);
    if (this.frames.length > this.deps.options.bufferEvents) this.frames.shift();
    for (const follower of this.followers) this.deliver(follower, f);
    if (f.last) this.close();
  }

  private deliver(follower: Follower, f: Frame): void {
    if (f.seq < follower.next) return;
    follower.next = f.seq + 1;
    this.write(follower, f.text);
    if (f.last) this.drop(follower);
  }

  private write(follower: Follower, text: string): void {
    const res = follower.res;
    if (res.writableEnded) return;
    res.write(text);
    if (res.writableLength > this.deps.options.maxBufferedBytes) {
      this.deps.logger.info(
        { session_id: this.sessionId },
        "a slow SSE follower was cut off; it can resume with Last-Event-ID",
      );
      this.drop(follower);
    }
  }

  private drop(follower: Follower): void {
    this.followers.delete(follower);
    if (!follower.res.writableEnded) follower.res.end();
  }

  /** Streams from position `from` (history first, then live) until the response closes. */
  async attach(res: ServerResponse, from: number | null, deltas: ReadonlySet<DeltaType>): Promise<void> {
    this.users++;
    const follower: Follower = { res, next: from ?? this.nextSeq, deltas, previews: new Set() };
    this.attached.add(follower);
    const heartbeat = setInterval(
      () => this.write(follower, frame("ping", '{"type":"ping"}')),
      this.deps.options.heartbeatMs,
    );
    const closed = new Promise<void>((resolve) => res.once("close", resolve));
    try {
      // Catch up from the log until the rest is in the buffer; live frames keep arriving meanwhile.
      for (;;) {
        const bufferStart = this.frames[0]?.seq ?? this.nextSeq;
        if (follower.next >= bufferStart || this.ended || res.writableEnded) break;
        const slice = await readSlice(this.deps.log, this.sessionId, {
          from: follower.next,
          limit: Math.min(500, bufferStart - follower.next),
        });
        if (slice.events.length === 0) {
          follower.next = bufferStart; // purged history: nothing older exists any more
          break;
        }
        for (const event of slice.events)
          this.deliver(follower, { seq: event.seq, text: eventFrame(event), last: false });
        if (res.writableNeedDrain)
          await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
      }
      if (this.ended || res.writableEnded) {
        if (!res.writableEnded) res.end();
        return;
      }
      // From here on, synchronously: the buffered frames, then every live frame as it comes.
      for (const f of this.frames) this.deliver(follower, f);
      if (res.writableEnded) return;
      this.followers.add(follower);
      if (deltas.size > 0) this.ensureDeltas();
      await closed;
    } finally {
      clearInterval(heartbeat);
      this.followers.delete(follower);
      this.attached.delete(follower);
      if (--this.users === 0) this.close();
    }
  }

  private ensureDeltas(): void {
    if (this.deltaSub) return;
    this.deltaSub = this.deps.bus.nc.subscribe(SUBJECTS.delta(this.sessionId), {
      callback: (err, msg) => {
        if (err) return;
        let parsed: { type?: string; event?: { type?: DeltaType; id?: string }; event_id?: string };
        try {
          parsed = JSON.parse(msg.string()) as typeof parsed;
        } catch {
          return;
        }
        const text = frame(String(parsed.type), msg.string());
        for (const follower of this.followers) {
          if (
            parsed.type === "event_start" &&
            parsed.event?.type &&
            parsed.event.id &&
            follower.deltas.has(parsed.event.type)
          ) {
            follower.previews.add(parsed.event.id);
            this.write(follower, text);
          } else if (
            parsed.type === "event_delta" &&
            parsed.event_id &&
            follower.previews.has(parsed.event_id)
          ) {
            this.write(follower, text);
          }
        }
      },
    });
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.deltaSub?.unsubscribe();
    for (const follower of [...this.attached]) this.drop(follower);
    this.deps.onIdle();
  }
}

export interface Feeds {
  /** Streams the session's events to `res` from `from` (or from now, when null) until it closes. */
  follow(
    sessionId: string,
    res: ServerResponse,
    from: number | null,
    deltas: ReadonlySet<DeltaType>,
  ): Promise<void>;
  /** Sessions with at least one follower in this process. */
  sessions(): number;
  close(): void;
}

export function createFeeds(deps: {
  bus: Bus;
  log: SessionLog;
  logger: Logger;
  options: FeedOptions;
}): Feeds {
  const feeds = new Map<string, SessionFeed>();
  return {
    async follow(sessionId, res, from, deltas) {
      let feed = feeds.get(sessionId);
      if (!feed) {
        const head = await deps.log.head(sessionId);
        feed = feeds.get(sessionId); // another follower may have started it meanwhile
        if (!feed) {
          const created: SessionFeed = new SessionFeed(
            { ...deps, onIdle: () => feeds.get(sessionId) === created && feeds.delete(sessionId) },
            sessionId,
            (head?.lastSeq ?? -1) + 1,
          );
          feeds.set(sessionId, created);
          feed = created;
        }
      }
      await feed.attach(res, from, deltas);
    },
    sessions: () => feeds.size,
    close() {
      for (const feed of [...feeds.values()]) feed.close();
    },
  };
}
