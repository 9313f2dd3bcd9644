import { LOG_HEADERS, LogEnvelope, STREAMS, SUBJECTS } from "@corral/protocol";
import { ensureWorkConsumer, wakesSession, type Bus, type JsMsg, type KV, type LogWriter } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { foldIntoRecord } from "./records.js";

export const PROJECTOR_CONSUMER = "session-store-projector";

const RECORD_TYPES = (type: string) => type.startsWith("session.status_") || type === "session.usage";

/**
 * Follows every session log and applies what appends imply: wakes for user events and the folded
 * session record. Writers that append directly (the harness) rely on it, and it closes the gap when a
 * session-store dies between an append and its side effects. Both effects are idempotent, so the fast
 * path in the RPC handler and this projector may both apply them.
 */
export function createProjector(deps: { bus: Bus; writer: LogWriter; sessions: KV; logger: Logger }) {
  const { bus, writer, sessions, logger } = deps;
  let close: (() => Promise<unknown>) | null = null;
  let running: Promise<void> = Promise.resolve();

  async function project(msg: JsMsg): Promise<void> {
    const types = (msg.headers?.get(LOG_HEADERS.types) ?? "").split(",");
    const wakes = types.some(wakesSession);
    const folds = types.some(RECORD_TYPES);
    if (!wakes && !folds) return;
    const sessionId = msg.subject.slice(SUBJECTS.log("").length);
    const parsed = LogEnvelope.safeParse(msg.json());
    if (!parsed.success) {
      logger.error({ session_id: sessionId, seq: msg.seq }, "log message does not parse; skipped");
      return;
    }
    if (wakes) await writer.wake(sessionId, parsed.data.events, { confirm: true });
    if (folds) await foldIntoRecord(sessions, sessionId, parsed.data.events);
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
