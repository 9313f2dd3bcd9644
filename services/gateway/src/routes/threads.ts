import { z } from "zod";
import {
  CorralError,
  SessionEvent,
  SessionId,
  SessionStatus,
  STORE_RPC,
  THREAD_RPC,
  ThreadId,
  ThreadRecord,
} from "@corral/protocol";
import { EventsListQuery, listLog } from "./log-page.js";
import { route, streamRoute, type Call } from "./route.js";
import { rpcRoute } from "./rpc-route.js";
import { Cursor, Flag, Limit, listOf, page } from "./schemas.js";
import { SessionPath } from "./sessions.js";

const ThreadPath = z.strictObject({ session_id: SessionId, thread_id: ThreadId });
type ThreadPath = z.output<typeof ThreadPath>;

const ThreadsListQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  statuses: listOf(SessionStatus, 4).optional(),
  include_archived: Flag.default(false),
});

/** Checks that the thread exists in that session; its log is the thread's id. */
async function threadLog(call: Call, params: ThreadPath) {
  await call(THREAD_RPC.get, params);
  return params.thread_id;
}

// A session has few threads (at most 25 run at once): one page holds them, the cursor is an offset.
function offsetPage<T>(data: T[], limit: number, page: string | undefined) {
  const offset = page ? Number.parseInt(page, 10) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
  const end = offset + limit;
  return { data: data.slice(offset, end), next_page: end < data.length ? String(end) : null };
}

export const THREAD_ROUTES = [
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/threads",
    operationId: "sessions.threads.list",
    summary: "List a session's sub-agent threads",
    tag: "threads",
    params: SessionPath,
    query: ThreadsListQuery,
    response: page(ThreadRecord),
    handler: async ({ params, query }, { call }) => {
      await call(STORE_RPC.sessionsGet, params);
      const { data } = await call(THREAD_RPC.list, {
        session_id: params.session_id,
        include_archived: query.include_archived,
        ...(query.statuses && { statuses: query.statuses }),
      });
      return offsetPage(data, query.limit, query.page);
    },
  }),
  rpcRoute({
    method: "GET",
    path: "/v1/sessions/:session_id/threads/:thread_id",
    operationId: "sessions.threads.retrieve",
    summary: "Get a thread",
    tag: "threads",
    params: ThreadPath,
    response: ThreadRecord,
    rpc: THREAD_RPC.get,
  }),
  rpcRoute({
    method: "POST",
    path: "/v1/sessions/:session_id/threads/:thread_id/archive",
    operationId: "sessions.threads.archive",
    summary: "Archive a thread",
    tag: "threads",
    params: ThreadPath,
    response: ThreadRecord,
    rpc: THREAD_RPC.archive,
  }),
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/threads/:thread_id/events",
    operationId: "sessions.threads.events.list",
    summary: "List a thread's events",
    tag: "threads",
    params: ThreadPath,
    query: EventsListQuery,
    response: page(SessionEvent),
    handler: async ({ params, query }, { call }) => listLog(call, await threadLog(call, params), query),
  }),
  streamRoute({
    path: "/v1/sessions/:session_id/threads/:thread_id/stream",
    operationId: "sessions.threads.stream",
    summary: "Follow a thread's events live (SSE), as a session's stream",
    tag: "threads",
    params: ThreadPath,
    open: ({ params }, { call }) => threadLog(call, params),
  }),
];
