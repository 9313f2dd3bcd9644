import {
  CorralError,
  SANDBOX_RPC,
  STORE_QUEUE,
  STORE_RPC,
  THREAD_RPC,
  BUCKETS,
  sandboxSubject,
  type ClientEventInput,
  type RpcDef,
} from "@corral/protocol";
import {
  createLogWriter,
  ensureStreams,
  openBucket,
  openSessionLog,
  request,
  serve,
  type AppendInput,
  type Bus,
  type RpcHandler,
  type Subscription,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { StoreConfig } from "./config.js";
import { createAgentStore } from "./agents.js";
import { createEnvironmentStore } from "./environments.js";
import { createSessionStore as createSessions } from "./sessions.js";
import { createProjector } from "./projector.js";
import { foldIntoRecord } from "./records.js";
import { createSessionGate } from "./session-gate.js";
import { listEvents } from "./events.js";
import { createTaskIntake } from "./tasks.js";
import { createThreadStore, type ThreadStore } from "./threads.js";
import { getJson } from "@corral/bus";
import { TaskRecord } from "@corral/protocol";

/** A send naming a thread that is not the session's is refused before anything is stored. */
async function checkNamedThreads(
  threads: ThreadStore,
  sessionId: string,
  events: readonly ClientEventInput[],
): Promise<void> {
  for (const event of events) {
    const named = "session_thread_id" in event ? event.session_thread_id : null;
    if (!named) continue;
    const thread = await threads.stored(named);
    if (!thread || thread.record.session_id !== sessionId)
      throw new CorralError("INVALID_REQUEST", `thread ${named} is not a thread of session ${sessionId}`);
  }
}

/**
 * Lets go of every sandbox the session (and, with `only`, just that thread) holds, so the sandbox-manager
 * can reap them. Best effort: with no sandbox-manager running there is nothing to let go of.
 */
async function releaseSandboxes(bus: Bus, logger: Logger, sessionId: string, only?: string): Promise<void> {
  try {
    const { data } = await request(bus, SANDBOX_RPC.list, { session_id: sessionId }, { timeoutMs: 5000 });
    for (const sandbox of data) {
      if (sandbox.status !== "ready") continue;
      for (const holder of sandbox.holders.filter((h) => !only || h === only)) {
        await request(
          bus,
          SANDBOX_RPC.handoff,
          { sandbox_id: sandbox.id, from: holder, mode: "release" },
          { subject: sandboxSubject(sandbox.id, "handoff"), timeoutMs: 5000 },
        );
      }
    }
  } catch (err) {
    logger.warn({ err, session_id: sessionId }, "sandboxes not released");
  }
}

export interface SessionStoreService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSessionStore(deps: {
  bus: Bus;
  logger: Logger;
  config: StoreConfig;
}): SessionStoreService {
  const { bus, logger, config } = deps;
  const subscriptions: Subscription[] = [];
  let stopTasks: (() => Promise<void>) | null = null;
  let stopProjector: (() => Promise<void>) | null = null;
  let stopGate: (() => void) | null = null;

  async function start(): Promise<void> {
    await ensureStreams(bus, { replicas: config.replicas, duplicateWindowMs: config.duplicateWindowMs });
    const bucket = (name: Parameters<typeof openBucket>[1]) =>
      openBucket(bus, name, { replicas: config.replicas });
    const [agentsKv, environmentsKv, sessionsKv, tasksKv, threadsKv] = await Promise.all([
      bucket(BUCKETS.agents),
      bucket(BUCKETS.environments),
      bucket(BUCKETS.sessions),
      bucket(BUCKETS.tasks),
      bucket(BUCKETS.threads),
    ]);
    const log = await openSessionLog(bus);
    const agents = createAgentStore(agentsKv);
    const environments = createEnvironmentStore(environmentsKv);
    const sessions = createSessions({ kv: sessionsKv, log, agents, environments });
    const writer = createLogWriter({ bus, log });
    // Read-your-writes for RPC callers: wake and fold before replying (the projector repeats both, idempotently).
    const appender = {
      async append(input: AppendInput) {
        const events = await writer.append(input);
        await writer.wake(input.sessionId, events);
        await foldIntoRecord(sessionsKv, input.sessionId, events);
        return events;
      },
      forget: (sessionId: string) => writer.forget(sessionId),
    };
    const threads = createThreadStore({ kv: threadsKv, log, sessions, agents, appender });
    const projector = createProjector({
      bus,
      writer,
      log,
      sessions: sessionsKv,
      threads: threadsKv,
      threadStore: threads,
      logger,
    });
    await projector.start();
    stopProjector = () => projector.stop();
    const gate = createSessionGate({ kv: sessionsKv, sessions, logger });
    await gate.start();
    stopGate = () => gate.stop();

    const on = <D extends RpcDef>(def: D, handler: RpcHandler<D>) =>
      subscriptions.push(serve(bus, def, handler, { queue: STORE_QUEUE }));
    const R = STORE_RPC;
    on(R.agentsCreate, (p) => agents.create(p));
    on(R.agentsGet, (p) => agents.get(p.agent_id, p.version));
    on(R.agentsUpdate, (p) => agents.update(p.agent_id, p.params));
    on(R.agentsList, (p) => agents.list(p));
    on(R.agentsArchive, (p) => agents.archive(p.agent_id));
    on(R.agentsVersions, (p) => agents.versions(p.agent_id, p));
    on(R.environmentsCreate, (p) => environments.create(p));
    on(R.environmentsGet, (p) => environments.get(p.environment_id));
    on(R.environmentsUpdate, (p) => environments.update(p.environment_id, p.params));
    on(R.environmentsList, (p) => environments.list(p));
    on(R.environmentsArchive, (p) => environments.archive(p.environment_id));
    on(R.environmentsDelete, (p) => environments.delete(p.environment_id));
    on(R.sessionsCreate, async (p) => {
      const record = await sessions.create(p);
      if (p.initial_events?.length) {
        await appender.append({ sessionId: record.id, events: p.initial_events, idempotencyKey: "initial" });
      }
      return sessions.get(record.id);
    });
    on(R.sessionsGet, (p) => sessions.get(p.session_id));
    on(R.sessionsList, (p) => sessions.list(p));
    on(R.sessionsUpdate, async (p) => {
      const { record, changed } = await sessions.update(p.session_id, p.params);
      if (Object.keys(changed).length)
        await appender.append({
          sessionId: record.id,
          events: [{ type: "session.updated", ...changed }] as never,
        });
      return sessions.get(record.id);
    });
    on(R.sessionsArchive, async (p) => {
      const record = await sessions.archive(p.session_id);
      await releaseSandboxes(bus, logger, p.session_id);
      return record;
    });
    on(R.sessionsDelete, async (p) => {
      // Archived sessions can be deleted too: archiving stops writes, deleting removes the history.
      await sessions.stored(p.session_id);
      await appender.append({ sessionId: p.session_id, events: [{ type: "session.deleted" }] as never });
      await sessions.remove(p.session_id);
      await log.purge(p.session_id, 1);
      await threads.removeAll(p.session_id);
      await releaseSandboxes(bus, logger, p.session_id);
      appender.forget(p.session_id);
      return { id: p.session_id, type: "session_deleted" };
    });
    on(R.eventsSend, async (p) => {
      await gate.check(p.session_id, "client");
      await checkNamedThreads(threads, p.session_id, p.events);
      // Answers to a sub-agent's questions are stored with the thread that asked, and sent on to it.
      const routed = await threads.routeAnswers(p.session_id, p.events);
      const events = await appender.append({
        sessionId: p.session_id,
        events: routed,
        idempotencyKey: p.idempotency_key,
      });
      // Interrupts and answers reach the threads (the projector does it again, idempotently, if this replica dies here).
      await threads.forward(p.session_id, events);
      return { events };
    });
    async function existingThread(threadId: string) {
      const thread = await threads.stored(threadId);
      if (!thread) throw new CorralError("NOT_FOUND", `thread ${threadId} not found`);
      return thread;
    }
    /** Appends to a thread's log need its session to take writes, and the thread not archived. */
    async function checkLog(logId: string): Promise<void> {
      if (!logId.startsWith("sthr_")) return gate.check(logId, "internal");
      const thread = await existingThread(logId);
      if (thread.record.archived_at)
        throw new CorralError("ARCHIVED", `thread ${logId} is archived and read-only`);
      await gate.check(thread.record.session_id, "internal");
    }
    on(R.eventsAppend, async (p) => {
      await checkLog(p.session_id);
      return {
        events: await appender.append({
          sessionId: p.session_id,
          events: p.events,
          expectedSeq: p.expected_seq,
          idempotencyKey: p.idempotency_key,
        }),
      };
    });
    on(R.eventsList, async (p) => {
      await (p.session_id.startsWith("sthr_") ? existingThread(p.session_id) : sessions.stored(p.session_id));
      return listEvents(log, p);
    });
    on(THREAD_RPC.create, (p) => threads.create(p));
    on(THREAD_RPC.get, (p) => threads.get(p.session_id, p.thread_id));
    on(THREAD_RPC.list, async (p) => ({ data: await threads.list(p) }));
    on(THREAD_RPC.archive, async (p) => {
      const record = await threads.archive(p.session_id, p.thread_id);
      await releaseSandboxes(bus, logger, record.session_id, record.id);
      return record;
    });
    on(R.tasksGet, async (p) => {
      const entry = await getJson(tasksKv, TaskRecord, p.task_id);
      if (!entry) throw new CorralError("NOT_FOUND", `task ${p.task_id} not found`);
      return entry.value;
    });

    if (config.taskIntake) {
      const intake = createTaskIntake({ bus, kv: tasksKv, sessions, appender, logger });
      await intake.start();
      stopTasks = () => intake.stop();
    }
    logger.info({ rpcs: subscriptions.length }, "session-store started");
  }

  async function stop(): Promise<void> {
    for (const sub of subscriptions) sub.unsubscribe();
    stopGate?.();
    await stopTasks?.();
    await stopProjector?.();
  }

  return { start, stop };
}
