import { z } from "zod";
import {
  AgentId,
  MemoryStoreId,
  SessionId,
  SessionRecord,
  SessionStatus,
  SessionUpdateParams,
  STORE_RPC,
} from "@corral/protocol";
import { topLevelResource } from "./resource.js";
import { route } from "./route.js";
import { SESSION_CREATE_ROUTE } from "./session-resources.js";
import { CreatedAtQuery, listOf, page, PageQuery, unservedQuery } from "./schemas.js";

const sessions = topLevelResource("sessions", "session_id", SessionId, SessionRecord);
export const SessionPath = sessions.itemPath;

export const SESSION_ROUTES = [
  SESSION_CREATE_ROUTE,
  route({
    method: "GET",
    path: "/v1/sessions",
    operationId: "sessions.list",
    summary: "List sessions, newest first unless `order=asc`",
    tag: "sessions",
    query: PageQuery.extend({
      agent_id: AgentId.optional(),
      agent_version: z.coerce.number().int().min(1).optional(),
      statuses: listOf(SessionStatus, 4).optional(),
      order: z.enum(["asc", "desc"]).default("desc"),
      created_at: CreatedAtQuery,
      memory_store_id: MemoryStoreId.optional(),
      deployment_id: unservedQuery("deployments"),
    }),
    response: page(SessionRecord).extend({ prev_page: z.string().nullable() }),
    handler: async ({ query }, { call }) => ({
      ...(await call(STORE_RPC.sessionsList, query)),
      prev_page: null,
    }),
  }),
  sessions.retrieve("Get a session", STORE_RPC.sessionsGet),
  sessions.update(
    "Update a session's title, metadata, budget or tools",
    SessionUpdateParams,
    STORE_RPC.sessionsUpdate,
  ),
  sessions.delete("Delete a session and its history", STORE_RPC.sessionsDelete),
  sessions.archive("Archive a session (read-only from then on)", STORE_RPC.sessionsArchive),
];
