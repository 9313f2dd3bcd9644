import { AgentId, SessionId, ThreadId } from "./ids.js";
import { createHash } from "node:crypto";
import { z } from "zod";
import { RecordTimestamps } from "./record-timestamps.js";
import { defineRpc } from "./rpc-def.js";
import { AgentSnapshot } from "./agents.js";
import { SessionStatus, StopReason } from "./events-session.js";
import { SessionEventInput } from "./events.js";
import { Usage } from "./usage.js";
import { IdempotencyKey } from "./rpc.js";

/** At most this many threads of one session run at once (the Managed Agents limit). */
export const MAX_RUNNING_THREADS = 25;

/**
 * A sub-agent's thread: it runs like a session of its own (its own log `corral.log.<thread_id>`, wake and
 * lease) and reports to its session's primary log. The shape is the API's `BetaManagedAgentsSessionThread`.
 */
export const ThreadRecord = z.object({
  id: ThreadId,
  type: z.literal("session_thread"),
  session_id: SessionId,
  /** Null: started by the primary thread (Corral, like the API, allows one level of sub-agents). */
  parent_thread_id: ThreadId.nullable(),
  agent: AgentSnapshot,
  status: SessionStatus,
  stop_reason: StopReason.nullable(),
  usage: Usage.nullable(),
  stats: z.object({ active_seconds: z.number().min(0), duration_seconds: z.number().min(0) }).nullable(),
  event_count: z.number().int().min(0),
  ...RecordTimestamps,
});
export type ThreadRecord = z.infer<typeof ThreadRecord>;

export const ThreadCreateRequest = z.object({
  session_id: SessionId,
  /** A roster entry of the session's coordinator: an agent id (its version pinned by the roster) or "self". */
  agent: z.union([AgentId, z.literal("self")]),
  /** The first events of the thread's log (its task, and the sandbox it was handed, if any). */
  initial_events: z.array(SessionEventInput).min(1).max(50),
  /** A retried create with the same key returns the same thread and appends nothing twice. */
  idempotency_key: IdempotencyKey,
});
export type ThreadCreateRequest = z.infer<typeof ThreadCreateRequest>;

/** A thread's id follows from its session and what created it, so a retried create finds the same thread. */
export function threadIdFor(sessionId: SessionId, idempotencyKey: string): ThreadId {
  return `sthr_${createHash("sha256").update(`${sessionId}\n${idempotencyKey}`).digest("hex").slice(0, 26)}`;
}

/** `session_id` may be left out by internal callers that know only the thread (a harness woken for it). */
export const ThreadRef = z.object({ session_id: SessionId.optional(), thread_id: ThreadId });
export type ThreadRef = z.infer<typeof ThreadRef>;

export const ThreadListRequest = z.object({
  session_id: SessionId,
  statuses: z.array(SessionStatus).max(4).optional(),
  include_archived: z.boolean().default(false),
});
export type ThreadListRequest = z.infer<typeof ThreadListRequest>;

/** The thread's first events are the first of its log (positions 0, 1, …). */
export const ThreadCreateResponse = z.object({ thread: ThreadRecord, created: z.boolean() });
export type ThreadCreateResponse = z.infer<typeof ThreadCreateResponse>;

const store = (verb: string) => `corral.api.store.${verb}`;

/** Threads, served by the session-store (queue group `session-store`). */
export const THREAD_RPC = {
  create: defineRpc(store("threads.create"), ThreadCreateRequest, ThreadCreateResponse),
  get: defineRpc(store("threads.get"), ThreadRef, ThreadRecord),
  list: defineRpc(store("threads.list"), ThreadListRequest, z.object({ data: z.array(ThreadRecord) })),
  archive: defineRpc(store("threads.archive"), ThreadRef, ThreadRecord),
} as const;
