import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  BUCKETS,
  STORE_RPC,
  STREAMS,
  SUBJECTS,
  THREAD_RPC,
  WAKE_CONSUMER,
  WakeMessage,
  isCorralError,
  type AgentSnapshot,
  type EnvironmentRecord,
  type SessionRecord,
} from "@corral/protocol";
import {
  createLogWriter,
  ensureStreams,
  ensureWorkConsumer,
  openBucket,
  openSessionLog,
  request,
  type Bus,
  type JsMsg,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import { createLeases, type Leases } from "./lease.js";
import { runSession, type RunnerDeps, type SessionInfo } from "./runner.js";
import { openSessionView, type SessionView } from "./session-view.js";
import type { Model } from "./model.js";
import type { Hands } from "./sandbox-client.js";
import type { ContextStrategy } from "./context.js";
import type { RosterMember } from "./tools.js";
import type { HarnessConfig } from "./config.js";

export interface Harness {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sessions this replica is running right now. */
  active(): string[];
}

interface Active {
  again: boolean;
}

export function createHarness(deps: {
  bus: Bus;
  logger: Logger;
  config: HarnessConfig;
  model: Model;
  hands: Hands;
  strategy: ContextStrategy;
}): Harness {
  const { bus, logger, config } = deps;
  const holder = `${config.replicaName}:${randomUUID()}`;
  const active = new Map<string, Active>();
  const stopping = new AbortController();
  let loop: Promise<void> = Promise.resolve();
  let runner: RunnerDeps;
  let leases: Leases;

  async function loadInfo(logId: string): Promise<SessionInfo> {
    const thread = logId.startsWith("sthr_")
      ? await request(bus, THREAD_RPC.get, { thread_id: logId })
      : null;
    const session = await request(bus, STORE_RPC.sessionsGet, { session_id: thread?.session_id ?? logId });
    let environment: Promise<EnvironmentRecord | null> | null = null;
    // Only a sandbox needs the environment, so it is not fetched before the first model call.
    const loadEnvironment = () =>
      (environment ??= request(bus, STORE_RPC.environmentsGet, {
        environment_id: session.environment_id,
      }).catch(() => null));
    return {
      // A thread runs as its session would, with its own id (its log) and its own agent.
      session: thread ? { ...session, id: thread.id as SessionRecord["id"], agent: thread.agent } : session,
      environment: loadEnvironment,
      rootSessionId: session.id,
      thread: thread ? { id: thread.id } : null,
      roster: thread ? null : await loadRoster(session.agent),
      sessionTokens: session.usage.input_tokens + session.usage.output_tokens,
    };
  }

  /** A coordinator's sub-agents by name, at the versions its roster pins. */
  async function loadRoster(agent: AgentSnapshot): Promise<RosterMember[] | null> {
    const roster = agent.multiagent?.agents;
    if (!roster?.length) return null;
    const members = await Promise.all(
      roster.map(async (entry): Promise<RosterMember | null> => {
        if (typeof entry !== "string" && entry.type === "self")
          return { name: agent.name, ref: "self", description: agent.description ?? null };
        if (typeof entry !== "string" && entry.type !== "agent") return null;
        const [id, version] = typeof entry === "string" ? [entry, undefined] : [entry.id, entry.version];
        const found = await request(bus, STORE_RPC.agentsGet, {
          agent_id: id,
          ...(version ? { version } : {}),
        }).catch(() => null);
        return found ? { name: found.name, ref: found.id, description: found.description ?? null } : null;
      }),
    );
    return members.filter((m): m is RosterMember => m !== null);
  }

  async function runWhileWoken(
    sessionId: string,
    entry: Active,
    signal: AbortSignal,
    first: Promise<SessionInfo>,
    view: Promise<SessionView>,
  ): Promise<void> {
    let info = first;
    let prefetched: Promise<SessionView> | undefined = view;
    for (;;) {
      entry.again = false;
      await runSession(runner, await info, signal, prefetched);
      prefetched = undefined;
      // Checked and cleared in one synchronous step, so a wake arriving now takes the normal path.
      if (!entry.again || signal.aborted) {
        active.delete(sessionId);
        return;
      }
      info = loadInfo(sessionId);
    }
  }

  async function handle(msg: JsMsg): Promise<void> {
    const wake = WakeMessage.safeParse(msg.json());
    if (!wake.success) {
      logger.warn({ subject: msg.subject }, "malformed wake dropped");
      msg.term();
      return;
    }
    const sessionId = wake.data.session_id;
    const running = active.get(sessionId);
    if (running) {
      running.again = true;
      msg.ack();
      return;
    }
    // The record and the log are read while the lease is being taken: they are what the first model call needs.
    const info = loadInfo(sessionId);
    info.catch(() => undefined);
    const view = openSessionView(runner.log, sessionId);
    view.catch(() => undefined);
    const lease = await leases.acquire(sessionId);
    if (!lease) {
      msg.nak(config.busyRetryMs);
      return;
    }
    const entry: Active = { again: false };
    active.set(sessionId, entry);
    const keepalive = setInterval(() => msg.working(), Math.max(100, Math.floor(config.leaseTtlMs / 3)));
    const signal = AbortSignal.any([lease.lost, stopping.signal]);
    try {
      await runWhileWoken(sessionId, entry, signal, info, view);
      if (signal.aborted) msg.nak(0);
      else msg.ack();
    } catch (error) {
      active.delete(sessionId);
      if (isCorralError(error, "NOT_FOUND")) {
        logger.warn({ session_id: sessionId }, "wake for a session that no longer exists");
        msg.ack();
      } else {
        logger.error({ err: error, session_id: sessionId }, "session run failed; will retry");
        msg.nak(config.busyRetryMs);
      }
    } finally {
      clearInterval(keepalive);
      await lease.release();
    }
  }

  async function consume(): Promise<void> {
    const consumer = await ensureWorkConsumer(bus, STREAMS.wake, WAKE_CONSUMER, {
      filterSubject: SUBJECTS.wakeAll,
      ackWaitMs: config.leaseTtlMs,
      maxAckPending: 100_000,
    });
    // Counted from the moment a wake is taken, not once its lease is held, so a replica never takes more than it may run.
    let taken = 0;
    while (!stopping.signal.aborted) {
      const free = config.concurrency - taken;
      if (free <= 0) {
        await sleep(20);
        continue;
      }
      try {
        const batch = await consumer.fetch({ max_messages: free, expires: 1000 });
        for await (const msg of batch) {
          taken++;
          void handle(msg)
            .catch((err: unknown) => {
              logger.error({ err, subject: msg.subject }, "wake handling failed");
              msg.nak(config.busyRetryMs);
            })
            .finally(() => taken--);
        }
      } catch (error) {
        if (stopping.signal.aborted) return;
        logger.warn({ err: error }, "wake fetch failed; retrying");
        await sleep(500);
      }
    }
  }

  return {
    async start() {
      await ensureStreams(bus);
      const log = await openSessionLog(bus);
      leases = createLeases(await openBucket(bus, BUCKETS.leases), holder, config.leaseTtlMs);
      runner = {
        bus,
        log,
        writer: createLogWriter({ bus, log }),
        model: deps.model,
        hands: deps.hands,
        strategy: deps.strategy,
        logger,
        config,
      };
      loop = consume();
      logger.info({ holder, concurrency: config.concurrency }, "harness started");
    },
    async stop() {
      stopping.abort();
      await loop.catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while (active.size > 0 && Date.now() < deadline) await sleep(20);
    },
    active: () => [...active.keys()],
  };
}
