import {
  isCorralError,
  type SessionEvent,
  type EnvironmentRecord,
  type LogId,
  type SessionEventInput,
  type SessionId,
  type SessionRecord,
  type ThreadId,
} from "@corral/protocol";
import type { Bus, SessionLog } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ContextStrategy } from "./context.js";
import type { Model } from "./model.js";
import type { Hands } from "./sandbox-client.js";
import type { SessionView } from "./session-view.js";
import type { RosterMember, ToolCatalog } from "./tool-catalog.js";
import type { LogAppender } from "./append-through-store.js";
import type { Tenure } from "./lease.js";

export interface RunnerConfig {
  maxTokens: number;
  maxModelAttempts: number;
  retryBaseMs: number;
  /** How long a call to another service is retried while it is unavailable (a restart is a delay). */
  retryUnavailableMs: number;
  /** Benchmark baseline only: provision the sandbox before the first model call. */
  coupled: boolean;
}

/** What every run of this replica shares. */
export interface RunnerDeps {
  bus: Bus;
  log: SessionLog;
  /** Appends go through the session-store, the only writer of the logs. */
  appender: LogAppender;
  model: Model;
  hands: Hands;
  strategy: ContextStrategy;
  logger: Logger;
  config: RunnerConfig;
}

/** What a run works from: the log's record, and where the log sits in its session. */
export interface SessionInfo {
  /** The log this run writes: the session's own, or a sub-agent thread's. */
  logId: LogId;
  /** The record the run works from; for a thread, its session's with the thread's agent. */
  session: SessionRecord;
  environment: () => Promise<EnvironmentRecord | null>;
  /** The session the log belongs to: itself, or a thread's session. */
  sessionId: SessionId;
  /** Set when the log is a sub-agent thread's. */
  threadId: ThreadId | null;
  /** A coordinator's sub-agents (null: not a coordinator). */
  roster: RosterMember[] | null;
  /** Tokens the session and all its threads had used when the run started: budgets cover them all. */
  sessionTokens: number;
}

/**
 * One run of one log, passed to every step: the only mutable state a run has. Every effect is an append
 * to the log, so the state can always be rebuilt from the log by another replica.
 */
export interface Run {
  readonly deps: RunnerDeps;
  readonly info: SessionInfo;
  readonly view: SessionView;
  readonly log: Logger;
  /** The model's tools; MCP servers' tools are added once they are listed. */
  catalog: ToolCatalog;
  mcpListed: boolean;
  /** Aborted by an interrupt or a stop; renewed for every step. */
  stepAbort: AbortController;
  /** Tokens the session's other logs had used at the start: they count against the budget. */
  readonly sharedTokens: number;
  /** Whether this run still holds the log's lease (nothing is appended while it may not), and the wait for it. */
  readonly tenure: Tenure;
  /** Set once the run found another runner's events in its log: it writes nothing more. */
  superseded: boolean;
}

/** The run's lease may have passed to another replica: it stops without writing anything more. */
export class LeaseLost extends Error {
  constructor() {
    super("the log's lease may have passed to another replica");
  }
}

export const text = (t: string) => [{ type: "text" as const, text: t }];

/** Events only a runner of this log writes (a sub-agent's questions copied in carry `session_thread_id`). */
const RUNNER_TYPES = new Set<string>([
  "agent.message",
  "agent.tool_use",
  "agent.custom_tool_use",
  "agent.mcp_tool_use",
  "agent.tool_result",
  "agent.mcp_tool_result",
  "agent.thread_context_compacted",
  "agent.thread_message_sent",
  "span.model_request_start",
  "span.model_request_end",
  "span.sandbox_provision_start",
  "span.sandbox_provision_end",
  "span.sandbox_lost",
  "session.status_rescheduled",
  "session.error",
  "session.thread_created",
]);

const byRunner = (e: SessionEvent) =>
  RUNNER_TYPES.has(e.type) && !("session_thread_id" in e && e.session_thread_id);

/** The store found the log's lease naming another runner (or none): this run writes nothing more. */
function refusedByStore(run: Run, events: SessionEventInput[]): LeaseLost {
  run.log.warn({ types: events.map((e) => e.type) }, "append refused: the lease names another runner");
  run.superseded = true;
  return new LeaseLost();
}

/**
 * Whether the run may append now: not superseded, and its lease held. A lease whose renewal is delayed (a
 * leader election) pauses the run here until the renewal lands, rather than ending it.
 */
async function mayWrite(run: Run): Promise<boolean> {
  if (run.superseded) return false;
  return run.tenure.held() || ((await run.tenure.regained()) && !run.superseded);
}

/**
 * Appends to this run's log, at the position after the last event the run has seen. When something was
 * appended meanwhile: a `guarded` append gives up (false: the next step is decided again); any other is
 * placed after it if it came from the client or another service, but if another runner wrote it (a run
 * that lost its lease and did not know yet), this run stops with `LeaseLost` rather than add a second
 * answer — the log stays one runner's story.
 */
export async function append(
  run: Run,
  events: SessionEventInput[],
  options: { guarded?: boolean; ids?: (string | undefined)[] } = {},
): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    if (run.superseded || !(await mayWrite(run))) {
      run.log.warn(
        { superseded: run.superseded, types: events.map((e) => e.type) },
        "append fenced: lease not held",
      );
      throw new LeaseLost();
    }
    const expectedSeq = run.view.state.lastSeq + 1;
    try {
      const fence = () => mayWrite(run);
      const input = { logId: run.info.logId, events, ids: options.ids, fence, expectedSeq };
      run.view.add(await run.deps.appender.append(input));
      return true;
    } catch (error) {
      if (!(await mayWrite(run))) throw new LeaseLost();
      if (isCorralError(error, "FORBIDDEN")) throw refusedByStore(run, events);
      if (!isCorralError(error, "CONFLICT") || attempt >= 20) throw error;
      if (options.guarded) return false;
      await run.view.catchUp();
      if (run.view.events.slice(expectedSeq).some(byRunner)) {
        const seen = run.view.events.slice(expectedSeq).map((e) => e.type);
        run.log.warn({ seen, expected_seq: expectedSeq }, "another runner wrote this log; stopping");
        run.superseded = true;
        throw new LeaseLost();
      }
    }
  }
}

export const usageEvent = (run: Run): SessionEventInput => ({
  type: "session.usage",
  usage: { ...run.view.state.usage },
  budget: run.info.session.budget ?? null,
});

/** The thread part of a request to another service about this log. */
export const threadPart = (run: Run) => (run.info.threadId ? { thread_id: run.info.threadId } : {});
