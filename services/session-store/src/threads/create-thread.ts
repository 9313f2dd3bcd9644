import {
  CorralError,
  MAX_RUNNING_THREADS,
  threadIdFor,
  workspaceOf,
  type AgentSnapshot,
  type SessionId,
  type ThreadCreateRequest,
  type ThreadCreateResponse,
  type ThreadId,
  type ThreadRecord,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredSession, StoredThread } from "../records/stored-records.js";
import { appendToLog } from "../append.js";
import { storedSession } from "../sessions/stored-session.js";
import { isActive, listThreads } from "./list-threads.js";
import { rosterAgent } from "./roster-agent.js";
import { inWorkspace } from "../workspace-scope.js";
import { storedThread, threadIndexKey } from "./stored-thread.js";

function newThread(id: ThreadId, sessionId: SessionId, agent: AgentSnapshot): StoredThread {
  const now = new Date().toISOString();
  const record: ThreadRecord = {
    id,
    type: "session_thread",
    session_id: sessionId,
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
  return { record, status_seq: -1, usage_seq: -1, running_since: null };
}

async function refuseOverLimit(state: StoreState, sessionId: SessionId): Promise<void> {
  const running = (await listThreads(state, { session_id: sessionId, include_archived: false })).filter(
    isActive,
  );
  if (running.length >= MAX_RUNNING_THREADS)
    throw new CorralError(
      "INVALID_REQUEST",
      `at most ${MAX_RUNNING_THREADS} threads of a session run at once`,
    );
}

/** Stores a new thread record; another create that got there first wins, and its thread is returned. */
async function storeNewThread(
  state: StoreState,
  req: ThreadCreateRequest,
  session: StoredSession,
  threadId: ThreadId,
) {
  // A roster names agents by id: only its session's workspace's agents can be started.
  const agent = await inWorkspace(workspaceOf(session.record), () =>
    rosterAgent(state, session.record.agent, req.agent),
  );
  await refuseOverLimit(state, req.session_id);
  const fresh = newThread(threadId, req.session_id, agent);
  // The index first: a crash between the two leaves an index entry that lists nothing, never a thread no list shows.
  await state.buckets.threadKeys.put(threadIndexKey(req.session_id, threadId), threadId);
  const created = (await state.buckets.threads.create(threadId, fresh)) !== null;
  const thread = created ? fresh : await storedThread(state, threadId);
  if (!thread) throw new CorralError("CONFLICT", `thread ${threadId} is being created; retry`);
  return { thread, created };
}

/** `threads.create`: idempotent by key (the key makes the thread id), first events appended once. */
export async function createThread(
  state: StoreState,
  req: ThreadCreateRequest,
): Promise<ThreadCreateResponse> {
  const session = await storedSession(state, req.session_id);
  if (session.record.archived_at) throw new CorralError("ARCHIVED", `session ${req.session_id} is archived`);
  const threadId = threadIdFor(req.session_id, req.idempotency_key);
  const existing = await storedThread(state, threadId);
  if (existing && existing.record.session_id !== req.session_id)
    throw new CorralError("CONFLICT", `thread ${threadId} belongs to another session`, { retryable: false });
  const { thread, created } = existing
    ? { thread: existing, created: false }
    : await storeNewThread(state, req, session, threadId);
  // The first events go in once: an existing log means an earlier attempt got this far.
  if (!(await state.log.head(threadId)))
    await appendToLog(state, { sessionId: threadId, events: req.initial_events, idempotencyKey: "initial" });
  return { thread: thread.record, created };
}
