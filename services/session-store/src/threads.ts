import {
  CorralError,
  MAX_RUNNING_THREADS,
  threadIdFor,
  type AgentSnapshot,
  type ClientEventInput,
  type RosterEntry,
  type SessionEvent,
  type SessionEventInput,
  type ThreadCreateRequest,
  type ThreadCreateResponse,
  type ThreadListRequest,
  type ThreadRecord,
  type SessionId,
  type ThreadId,
  type EventId,
} from "@corral/protocol";
import { createJson, getJson, updateJson, type KV, type SessionLog } from "@corral/bus";
import { StoredThread } from "./session-state.js";
import { snapshot, type SessionStore } from "./sessions.js";
import type { AgentStore } from "./agents.js";

export interface Appender {
  append(input: {
    sessionId: SessionId;
    events: SessionEventInput[];
    idempotencyKey?: string;
  }): Promise<SessionEvent[]>;
}

export interface ThreadStore {
  create(req: ThreadCreateRequest): Promise<ThreadCreateResponse>;
  get(sessionId: SessionId | undefined, threadId: ThreadId): Promise<ThreadRecord>;
  stored(threadId: ThreadId): Promise<StoredThread | null>;
  list(req: ThreadListRequest): Promise<ThreadRecord[]>;
  archive(sessionId: SessionId | undefined, threadId: ThreadId): Promise<ThreadRecord>;
  /**
   * Sends stored events of the session's log on to its threads: a `user.interrupt` to the thread it names
   * or to every active thread, an answer (confirmation, tool result) to the thread that asked. Idempotent.
   */
  forward(sessionId: SessionId, events: readonly SessionEvent[]): Promise<void>;
  /** A sub-agent's questions (tool uses waiting for the client), remembered so that answers find their thread. */
  rememberAsks(sessionId: SessionId, threadId: ThreadId, eventIds: readonly EventId[]): Promise<void>;
  /** Client answers to a sub-agent's questions, marked with the thread that asked (others unchanged). */
  routeAnswers(sessionId: SessionId, events: readonly ClientEventInput[]): Promise<SessionEventInput[]>;
  /** Removes a deleted session's threads: records, index and logs. */
  removeAll(sessionId: SessionId): Promise<void>;
}

const indexKey = (sessionId: SessionId, threadId: ThreadId) => `idx.${sessionId}.${threadId}`;
const askKey = (sessionId: SessionId, eventId: string) => `ask.${sessionId}.${eventId}`;

/** The tool-use event an answer is for, if the event is an answer. */
function answered(event: { type: string; tool_use_id?: string; custom_tool_use_id?: string }): string | null {
  if (event.type === "user.tool_confirmation" || event.type === "user.tool_result")
    return event.tool_use_id ?? null;
  if (event.type === "user.custom_tool_result") return event.custom_tool_use_id ?? null;
  return null;
}
const RUNNING = new Set(["running", "rescheduling"]);
/** Running, or created and not yet run (idle with no stop reason): what an interrupt reaches and the limit counts. */
const active = (t: ThreadRecord) =>
  !t.archived_at && (RUNNING.has(t.status) || (t.status === "idle" && t.stop_reason === null));

const rosterId = (entry: RosterEntry) =>
  typeof entry === "string" ? entry : entry.type === "agent" ? entry.id : null;

/**
 * Threads of multiagent sessions. A thread is a log of its own (`corral.log.<thread_id>`), woken and leased
 * like a session; its record lives in KV `corral_threads`, folded from its log by the projector.
 */
export function createThreadStore(deps: {
  kv: KV;
  log: SessionLog;
  sessions: SessionStore;
  agents: AgentStore;
  appender: Appender;
}): ThreadStore {
  const { kv, log, sessions, agents, appender } = deps;

  async function stored(threadId: ThreadId): Promise<StoredThread | null> {
    return (await getJson(kv, StoredThread, threadId))?.value ?? null;
  }

  async function owned(sessionId: SessionId | undefined, threadId: ThreadId): Promise<StoredThread> {
    const thread = await stored(threadId);
    if (!thread || (sessionId !== undefined && thread.record.session_id !== sessionId))
      throw new CorralError(
        "NOT_FOUND",
        `thread ${threadId} not found${sessionId ? ` in session ${sessionId}` : ""}`,
      );
    return thread;
  }

  /** The sub-agent a coordinator may start: an entry of its roster, at the version the roster pins. */
  async function rosterAgent(coordinator: AgentSnapshot, wanted: string): Promise<AgentSnapshot> {
    const roster = coordinator.multiagent?.agents;
    if (!roster)
      throw new CorralError(
        "INVALID_REQUEST",
        `agent ${coordinator.id} is not a coordinator: it has no multiagent roster`,
      );
    if (wanted === "self") {
      if (!roster.some((e) => typeof e !== "string" && e.type === "self"))
        throw new CorralError("INVALID_REQUEST", "the roster does not include self");
      return { ...coordinator, multiagent: null };
    }
    const entry = roster.find((e) => rosterId(e) === wanted);
    if (!entry)
      throw new CorralError("INVALID_REQUEST", `agent ${wanted} is not in the coordinator's roster`);
    const version = typeof entry === "string" || entry.type !== "agent" ? undefined : entry.version;
    const agent = await agents.get(wanted, version);
    if (agent.archived_at) throw new CorralError("ARCHIVED", `agent ${wanted} is archived`);
    // One level of sub-agents: a thread never coordinates threads of its own.
    return { ...snapshot(agent), multiagent: null };
  }

  async function list(req: ThreadListRequest): Promise<ThreadRecord[]> {
    const out: ThreadRecord[] = [];
    for await (const key of await kv.keys(`idx.${req.session_id}.*`)) {
      const thread = await stored(key.slice(key.lastIndexOf(".") + 1));
      if (!thread) continue;
      const r = thread.record;
      if ((!req.include_archived && r.archived_at) || (req.statuses && !req.statuses.includes(r.status)))
        continue;
      out.push(r);
    }
    return out.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
  }

  return {
    stored,
    list,
    async create(req) {
      const session = await sessions.stored(req.session_id);
      if (session.record.archived_at)
        throw new CorralError("ARCHIVED", `session ${req.session_id} is archived`);
      const threadId = threadIdFor(req.session_id, req.idempotency_key);
      let thread = await stored(threadId);
      let created = false;
      if (!thread) {
        const agent = await rosterAgent(session.record.agent, req.agent);
        const running = (await list({ session_id: req.session_id, include_archived: false })).filter(active);
        if (running.length >= MAX_RUNNING_THREADS)
          throw new CorralError(
            "INVALID_REQUEST",
            `at most ${MAX_RUNNING_THREADS} threads of a session run at once`,
          );
        const now = new Date().toISOString();
        const record: ThreadRecord = {
          id: threadId,
          type: "session_thread",
          session_id: req.session_id,
          parent_thread_id: null,
          agent,
          status: "idle",
          stop_reason: null,
          usage: null,
          stats: null,
          event_count: 0,
          created_at: now,
          updated_at: now,
          archived_at: null,
        };
        const fresh: StoredThread = { record, status_seq: -1, usage_seq: -1, running_since: null };
        // The index first: a crash between the two leaves an index entry that lists nothing, never a thread no list shows.
        await kv.put(indexKey(req.session_id, threadId), "");
        created = (await createJson(kv, threadId, fresh)) !== null;
        thread = created ? fresh : await stored(threadId);
        if (!thread) throw new CorralError("CONFLICT", `thread ${threadId} is being created; retry`);
      } else if (thread.record.session_id !== req.session_id) {
        throw new CorralError("CONFLICT", `thread ${threadId} belongs to another session`, {
          retryable: false,
        });
      }
      // The first events go in once: an existing log means an earlier attempt got this far.
      if (!(await log.head(threadId)))
        await appender.append({ sessionId: threadId, events: req.initial_events, idempotencyKey: "initial" });
      return { thread: thread.record, created };
    },
    async get(sessionId, threadId) {
      const { record } = await owned(sessionId, threadId);
      const head = await log.head(threadId);
      const end = record.archived_at ? Date.parse(record.archived_at) : Date.now();
      const stats = record.stats ?? { active_seconds: 0, duration_seconds: 0 };
      return {
        ...record,
        event_count: head ? head.lastSeq + 1 : 0,
        stats: { ...stats, duration_seconds: Math.max(0, (end - Date.parse(record.created_at)) / 1000) },
      };
    },
    async archive(sessionId, threadId) {
      await owned(sessionId, threadId);
      const entry = await updateJson(kv, StoredThread, threadId, (s) => {
        if (s.record.archived_at) return undefined;
        if (RUNNING.has(s.record.status))
          throw new CorralError("CONFLICT", `cannot archive a running thread; interrupt it first`, {
            retryable: false,
          });
        const now = new Date().toISOString();
        return { ...s, record: { ...s.record, archived_at: now, updated_at: now } };
      });
      if (!entry) throw new CorralError("NOT_FOUND", `thread ${threadId} not found`);
      return entry.value.record;
    },
    async rememberAsks(sessionId, threadId, eventIds) {
      for (const id of eventIds) await kv.put(askKey(sessionId, id), threadId);
    },
    async routeAnswers(sessionId, events) {
      const out: SessionEventInput[] = [];
      for (const event of events) {
        const asked = answered(event);
        const entry = asked ? await kv.get(askKey(sessionId, asked)).catch(() => null) : null;
        const threadId = entry && entry.operation === "PUT" && entry.length > 0 ? entry.string() : null;
        out.push(threadId ? ({ ...event, session_thread_id: threadId } as SessionEventInput) : event);
      }
      return out;
    },
    async forward(sessionId, events) {
      let everyone: string[] | null = null;
      for (const event of events) {
        if (answered(event) && "session_thread_id" in event && event.session_thread_id) {
          const { id, seq: _seq, processed_at: _at, session_thread_id: threadId, ...answer } = event;
          await appender.append({
            sessionId: threadId,
            events: [answer as SessionEventInput],
            idempotencyKey: `fwd.${id}`,
          });
          continue;
        }
        if (event.type !== "user.interrupt") continue;
        const named = event.session_thread_id;
        const targets = named
          ? [named]
          : (everyone ??= (await list({ session_id: sessionId, include_archived: false }))
              .filter(active)
              .map((t) => t.id));
        for (const threadId of targets) {
          if (named && (await stored(threadId))?.record.session_id !== sessionId) continue;
          // In the thread's own log the interrupt is simply for it.
          await appender.append({
            sessionId: threadId,
            events: [{ type: "user.interrupt" }],
            idempotencyKey: `fwd.${event.id}`,
          });
        }
      }
    },
    async removeAll(sessionId) {
      const keys: string[] = [];
      for await (const key of await kv.keys(`idx.${sessionId}.*`)) keys.push(key);
      for (const key of keys) {
        const threadId = key.slice(key.lastIndexOf(".") + 1);
        await log.purge(threadId, 0);
        await kv.delete(threadId);
        await kv.delete(key);
      }
    },
  };
}
