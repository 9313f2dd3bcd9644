import {
  CorralError,
  TaskRecord as TaskRecordSchema,
  TaskSubmission,
  STREAMS,
  SUBJECTS,
  TASKS_CONSUMER,
  describeZodError,
  newId,
  type TaskRecord,
} from "@corral/protocol";
import { createJson, getJson, putJson, ensureWorkConsumer, type Bus, type JsMsg, type KV } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { SessionStore } from "./sessions.js";
import type { AppendInput } from "@corral/bus";
import type { SessionEvent } from "@corral/protocol";

export interface TaskIntake {
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Deps {
  bus: Bus;
  kv: KV;
  sessions: SessionStore;
  appender: { append(input: AppendInput): Promise<SessionEvent[]> };
  logger: Logger;
}

function taskIdOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null || !("task_id" in raw)) return null;
  const id = (raw as { task_id: unknown }).task_id;
  return typeof id === "string" && /^[A-Za-z0-9_.:-]{1,128}$/.test(id) ? id : null;
}

/**
 * Turns each task published on `corral.tasks.submit` into exactly one session: the task id claims a
 * session id in KV first, and every later step is idempotent, so a redelivered task finishes the work.
 */
export function createTaskIntake(deps: Deps): TaskIntake {
  const { bus, kv, sessions, appender, logger } = deps;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let close: (() => Promise<unknown>) | null = null;

  async function record(taskId: string, patch: Partial<TaskRecord>): Promise<void> {
    const now = new Date().toISOString();
    const current = await getJson(kv, TaskRecordSchema, taskId);
    const base: TaskRecord = current?.value ?? {
      task_id: taskId,
      state: "accepted",
      session_id: null,
      error: null,
      received_at: now,
      updated_at: now,
    };
    await putJson(kv, taskId, { ...base, ...patch, updated_at: now });
  }

  async function claim(taskId: string): Promise<TaskRecord> {
    const now = new Date().toISOString();
    const fresh: TaskRecord = {
      task_id: taskId,
      state: "accepted",
      session_id: newId("session"),
      error: null,
      received_at: now,
      updated_at: now,
    };
    if ((await createJson(kv, taskId, fresh)) !== null) return fresh;
    const existing = await getJson(kv, TaskRecordSchema, taskId);
    if (!existing) throw new CorralError("UNAVAILABLE", "task claim vanished; retry");
    return existing.value;
  }

  async function process(raw: unknown): Promise<void> {
    const parsed = TaskSubmission.safeParse(raw);
    const taskId = parsed.success ? parsed.data.task_id : taskIdOf(raw);
    if (!parsed.success) {
      logger.warn({ task_id: taskId, error: describeZodError(parsed.error) }, "task rejected");
      if (taskId)
        await record(taskId, {
          state: "rejected",
          error: { code: "INVALID_REQUEST", message: describeZodError(parsed.error) },
        });
      return;
    }
    const task = parsed.data;
    const claimed = await claim(task.task_id);
    if (claimed.state !== "accepted" || !claimed.session_id) return;
    try {
      await sessions.create(
        {
          agent: task.agent,
          environment_id: task.environment_id,
          title: task.title,
          metadata: task.metadata,
          vault_ids: task.vault_ids,
          task_id: task.task_id,
        } as never,
        claimed.session_id,
      );
    } catch (error) {
      if (!(error instanceof CorralError) || error.retryable) throw error;
      await record(task.task_id, {
        state: "rejected",
        session_id: null,
        error: { code: error.code, message: error.message },
      });
      return;
    }
    const content =
      typeof task.message === "string" ? [{ type: "text" as const, text: task.message }] : task.message;
    await appender.append({
      sessionId: claimed.session_id,
      events: [{ type: "user.message", content }] as never,
      idempotencyKey: `task:${task.task_id}`,
    });
    await record(task.task_id, { state: "created", session_id: claimed.session_id });
    logger.info({ task_id: task.task_id, session_id: claimed.session_id }, "task started a session");
  }

  async function handle(msg: JsMsg): Promise<void> {
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      logger.warn({ seq: msg.seq }, "task is not JSON; dropped");
      msg.term();
      return;
    }
    try {
      await process(raw);
      msg.ack();
    } catch (error) {
      logger.error({ err: error, task_id: taskIdOf(raw) }, "task failed; will retry");
      msg.nak(1000);
    }
  }

  return {
    async start() {
      const consumer = await ensureWorkConsumer(bus, STREAMS.tasks, TASKS_CONSUMER, {
        filterSubject: SUBJECTS.tasksSubmit,
        ackWaitMs: 30_000,
        maxAckPending: 64,
      });
      const messages = await consumer.consume({ max_messages: 16 });
      close = () => messages.close();
      running = (async () => {
        for await (const msg of messages) {
          if (stopped) break;
          await handle(msg);
        }
      })();
    },
    async stop() {
      stopped = true;
      await close?.();
      await running.catch(() => undefined);
    },
  };
}
