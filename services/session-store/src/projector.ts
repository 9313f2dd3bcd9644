import {
  LOG_HEADERS,
  LogEnvelope,
  STREAMS,
  SUBJECTS,
  type SessionEvent,
  type SessionEventInput,
  type ThreadId,
  type EventId,
} from "@corral/protocol";
import {
  ensureWorkConsumer,
  wakesSession,
  type Bus,
  type JsMsg,
  type KV,
  type LogWriter,
  type SessionLog,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import { foldIntoRecord, foldIntoThread } from "./records.js";
import { listEvents } from "./events.js";
import type { StoredThread } from "./session-state.js";
import type { ThreadStore } from "./threads.js";

export const PROJECTOR_CONSUMER = "session-store-projector";

const RECORD_TYPES = (type: string) => type.startsWith("session.status_") || type === "session.usage";

/**
 * Follows every session log and applies what appends imply: wakes for user events and the folded
 * session record. Writers that append directly (the harness) rely on it, and it closes the gap when a
 * session-store dies between an append and its side effects. All effects are idempotent, so the fast
 * path in the RPC handler and this projector may both apply them.
 *
 * A sub-agent thread's status changes are also reported to its session's primary log
 * (`session.thread_status_*`, and its reply as `agent.thread_message_received`, which wakes the
 * coordinator), each under an idempotency key made from the thread event's id.
 */
export function createProjector(deps: {
  bus: Bus;
  writer: LogWriter;
  log: SessionLog;
  sessions: KV;
  threads: KV;
  threadStore: ThreadStore;
  logger: Logger;
}) {
  const { bus, writer, log, sessions, threads, threadStore, logger } = deps;
  let close: (() => Promise<unknown>) | null = null;
  let running: Promise<void> = Promise.resolve();

  /** A thread's events before position `seq`, newest first, a page at a time (at most 5,000 back). */
  async function* before(threadId: ThreadId, seq: number): AsyncGenerator<SessionEvent> {
    for (let from: number | null = seq; from !== null && from >= 0 && seq - from < 5000; ) {
      const page = await listEvents(log, { session_id: threadId, from, limit: 100, order: "desc" });
      for (const event of page.data) if (event.seq < seq) yield event;
      from = page.next_from;
    }
  }

  /** The thread's last words in the turn that ended at `seq`: its last agent message after the input that started the turn. */
  async function replyOf(threadId: ThreadId, seq: number): Promise<string> {
    for await (const event of before(threadId, seq)) {
      if (event.type === "agent.message")
        return event.content.map((b) => (b.type === "text" ? b.text : "")).join("");
      if (event.type === "session.status_idle" || event.type === "user.message") break;
    }
    return "(the thread ended its turn without a message)";
  }

  /**
   * A sub-agent waits for the client (a custom tool, or a confirmation): its questions are posted to the
   * session's log with the same event ids and `session_thread_id`, so a client following the session sees
   * them and answers as it would the coordinator's. The coordinator keeps waiting for the thread.
   */
  async function askClient(
    thread: StoredThread,
    idleSeq: number,
    eventIds: readonly EventId[],
    idleId: string,
  ): Promise<void> {
    const { id: threadId, session_id: sessionId } = thread.record;
    const wanted = new Set(eventIds);
    const asks: SessionEvent[] = [];
    for await (const event of before(threadId, idleSeq)) {
      if (wanted.has(event.id)) asks.unshift(event);
      if (asks.length === wanted.size) break;
    }
    await threadStore.rememberAsks(
      sessionId,
      threadId,
      asks.map((e) => e.id),
    );
    const copies = asks.map(
      ({ id: _id, seq: _seq, processed_at: _at, ...rest }) =>
        ({ ...rest, session_thread_id: threadId }) as SessionEventInput,
    );
    await writer.append({
      sessionId,
      events: [
        {
          type: "session.thread_status_idle",
          session_thread_id: threadId,
          agent_name: thread.record.agent.name,
          stop_reason: { type: "requires_action", event_ids: eventIds.slice() },
        },
        ...copies,
      ],
      ids: [undefined, ...asks.map((e) => e.id)],
      idempotencyKey: `thr.${idleId}`,
    });
  }

  async function report(thread: StoredThread, events: readonly SessionEvent[]): Promise<void> {
    const { id: threadId, session_id: sessionId, agent } = thread.record;
    const fields = { session_thread_id: threadId, agent_name: agent.name };
    for (const event of events) {
      let out: SessionEventInput[];
      if (event.type === "session.status_running")
        out = [{ type: "session.thread_status_running", ...fields }];
      else if (event.type === "session.status_rescheduled")
        out = [{ type: "session.thread_status_rescheduled", ...fields }];
      else if (event.type === "session.status_idle" || event.type === "session.status_terminated") {
        if (event.type === "session.status_idle" && event.stop_reason.type === "requires_action") {
          await askClient(thread, event.seq, event.stop_reason.event_ids, event.id);
          continue;
        }
        const reply =
          event.type === "session.status_terminated"
            ? "(the thread terminated)"
            : await replyOf(threadId, event.seq);
        out = [
          event.type === "session.status_idle"
            ? { type: "session.thread_status_idle", ...fields, stop_reason: event.stop_reason }
            : { type: "session.thread_status_terminated", ...fields },
          {
            type: "agent.thread_message_received",
            from_session_thread_id: threadId,
            from_agent_name: agent.name,
            content: [{ type: "text", text: reply }],
            thread_seq: event.seq,
          },
        ];
      } else continue;
      await writer.append({ sessionId, events: out, idempotencyKey: `thr.${event.id}` });
    }
  }

  async function project(msg: JsMsg): Promise<void> {
    const types = (msg.headers?.get(LOG_HEADERS.types) ?? "").split(",");
    const wakes = types.some(wakesSession);
    const folds = types.some(RECORD_TYPES);
    if (!wakes && !folds) return;
    const logId = msg.subject.slice(SUBJECTS.log("").length);
    const parsed = LogEnvelope.safeParse(msg.json());
    if (!parsed.success) {
      logger.error({ session_id: logId, seq: msg.seq }, "log message does not parse; skipped");
      return;
    }
    if (wakes) await writer.wake(logId, parsed.data.events, { confirm: true });
    if (wakes && logId.startsWith("sesn_")) await threadStore.forward(logId, parsed.data.events);
    if (!folds) return;
    if (!logId.startsWith("sthr_")) return foldIntoRecord(sessions, logId, parsed.data.events);
    const thread = await foldIntoThread(threads, sessions, logId, parsed.data.events);
    if (thread) await report(thread, parsed.data.events);
    else logger.warn({ thread_id: logId }, "log of an unknown thread; not reported");
  }

  return {
    async start(): Promise<void> {
      const consumer = await ensureWorkConsumer(bus, STREAMS.sessions, PROJECTOR_CONSUMER, {
        filterSubject: SUBJECTS.logAll,
        ackWaitMs: 30_000,
        maxAckPending: 10_000,
      });
      const messages = await consumer.consume({ max_messages: 512 });
      close = () => messages.close();
      running = (async () => {
        for await (const msg of messages) {
          try {
            await project(msg);
            msg.ack();
          } catch (err) {
            logger.warn({ err, subject: msg.subject }, "projection failed; will retry");
            msg.nak(500);
          }
        }
      })();
    },
    async stop(): Promise<void> {
      await close?.();
      await running.catch(() => undefined);
    },
  };
}
