import type { ServerResponse } from "node:http";
import type { LogId } from "@corral/protocol";
import {
  readSlice,
  subscribeDeltas,
  tailEvents,
  type Bus,
  type SessionLog,
  type Unsubscribe,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import { eventFrame, sseFrame, wantsDelta, type Follower, type Frame } from "./feed-frames.js";
import type { DeltaType } from "./routes/schemas.js";

export interface FeedOptions {
  /** Recent frames kept per log, so a follower that joins or resumes close behind reads no history. */
  bufferEvents: number;
  /** A follower whose socket has this much unsent data is cut off; it resumes with Last-Event-ID. */
  maxBufferedBytes: number;
  heartbeatMs: number;
}

export interface LogFeedDeps {
  bus: Bus;
  log: SessionLog;
  logger: Logger;
  options: FeedOptions;
  onIdle: () => void;
}

/**
 * All the followers of one log in this gateway share one log consumer: each new event is read from NATS
 * and serialised once, then written to every socket. Deltas come from the bus's live delta frames; they
 * are previews, never replayed.
 */
export class LogFeed {
  /** Followers receiving live frames. */
  private readonly followers = new Set<Follower>();
  /** Every follower, catching up or live: all are cut off when the feed ends. */
  private readonly attached = new Set<Follower>();
  private readonly frames: Frame[] = [];
  private readonly abort = new AbortController();
  private stopDeltas: Unsubscribe | null = null;
  private users = 0;
  /** The next position the live tail will deliver. */
  private nextSeq: number;
  private ended = false;

  constructor(
    private readonly deps: LogFeedDeps,
    readonly logId: LogId,
    start: number,
  ) {
    this.nextSeq = start;
    void this.run();
  }

  private async run(): Promise<void> {
    try {
      for await (const event of tailEvents(this.deps.log, this.logId, this.nextSeq, this.abort.signal)) {
        this.push({ seq: event.seq, text: eventFrame(event), last: event.type === "session.deleted" });
      }
    } catch (err) {
      if (!this.abort.signal.aborted)
        this.deps.logger.warn({ err, log_id: this.logId }, "log feed failed; followers must resume");
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
        { log_id: this.logId },
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
    const ping = () => this.write(follower, sseFrame("ping", '{"type":"ping"}'));
    const heartbeat = setInterval(ping, this.deps.options.heartbeatMs);
    const closed = new Promise<void>((resolve) => res.once("close", resolve));
    try {
      if (!(await this.catchUp(follower))) return;
      this.goLive(follower);
      if (!res.writableEnded) await closed;
    } finally {
      clearInterval(heartbeat);
      this.followers.delete(follower);
      this.attached.delete(follower);
      if (--this.users === 0) this.close();
    }
  }

  /** Reads the log until the rest is in the buffer (live frames keep arriving meanwhile); false if over. */
  private async catchUp(follower: Follower): Promise<boolean> {
    const res = follower.res;
    for (;;) {
      const bufferStart = this.frames[0]?.seq ?? this.nextSeq;
      if (follower.next >= bufferStart || this.ended || res.writableEnded) break;
      const slice = await readSlice(this.deps.log, this.logId, {
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
    if (!this.ended && !res.writableEnded) return true;
    if (!res.writableEnded) res.end();
    return false;
  }

  /** Synchronously: the buffered frames, then every live frame as it comes. */
  private goLive(follower: Follower): void {
    for (const f of this.frames) this.deliver(follower, f);
    if (follower.res.writableEnded) return;
    this.followers.add(follower);
    if (follower.deltas.size > 0) this.relayDeltas();
  }

  private relayDeltas(): void {
    this.stopDeltas ??= subscribeDeltas(this.deps.bus, this.logId, (frame, json) => {
      const text = sseFrame(frame.type, json);
      for (const follower of this.followers) if (wantsDelta(follower, frame)) this.write(follower, text);
    });
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort();
    this.stopDeltas?.();
    for (const follower of [...this.attached]) this.drop(follower);
    this.deps.onIdle();
  }
}
