import { AgentId, EnvironmentId, LogId, MemoryStoreId, SessionId } from "./ids.js";
import { z } from "zod";
import { defineRpc } from "./rpc-def.js";
import { AgentCreateParams, AgentUpdateParams, AgentRecord } from "./agents.js";
import { EnvironmentCreateParams, EnvironmentUpdateParams, EnvironmentRecord } from "./environments.js";
import { SessionCreateParams, SessionUpdateParams, SessionRecord } from "./sessions.js";
import { SessionStatus } from "./events-session.js";
import { ClientEventInput, SessionEventInput, SessionEvent, SessionEventType } from "./events.js";
import { TaskRecord } from "./tasks.js";
import { LogAppendRequest } from "./log-append.js";
import { CreatedAtRange } from "./list-filters.js";

export const PageQuery = z.object({
  limit: z.number().int().min(1).max(1000).default(100),
  page: z.string().max(200).optional(),
  include_archived: z.boolean().default(false),
});
export type PageQuery = z.infer<typeof PageQuery>;

const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_page: z.string().nullable() });

export const AgentGetRequest = z.object({ agent_id: AgentId, version: z.number().int().min(1).optional() });
export const AgentUpdateRequest = z.object({ agent_id: AgentId, params: AgentUpdateParams });
export const AgentRef = z.object({ agent_id: AgentId });
export const AgentVersionsRequest = PageQuery.extend({ agent_id: AgentId });
export const AgentListRequest = PageQuery.extend({ created_at: CreatedAtRange.optional() });
export type AgentListRequest = z.infer<typeof AgentListRequest>;

export const EnvironmentRef = z.object({ environment_id: EnvironmentId });
export const EnvironmentUpdateRequest = z.object({
  environment_id: EnvironmentId,
  params: EnvironmentUpdateParams,
});
export const Deleted = z.object({ id: z.string(), type: z.string() });

export const SessionRef = z.object({ session_id: SessionId });
export const SessionUpdateRequest = z.object({ session_id: SessionId, params: SessionUpdateParams });
export const SessionListRequest = PageQuery.extend({
  agent_id: AgentId.optional(),
  /** Only with `agent_id`: sessions pinned to this version of it. */
  agent_version: z.number().int().min(1).optional(),
  statuses: z.array(SessionStatus).max(4).optional(),
  order: z.enum(["asc", "desc"]).default("desc"),
  created_at: CreatedAtRange.optional(),
  /** Sessions with this memory store among their resources. */
  memory_store_id: MemoryStoreId.optional(),
});
export type SessionListRequest = z.infer<typeof SessionListRequest>;

export const IdempotencyKey = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only");

export const EventsSendRequest = z.object({
  session_id: SessionId,
  events: z.array(ClientEventInput).min(1).max(100),
  idempotency_key: IdempotencyKey.optional(),
});
export type EventsSendRequest = z.infer<typeof EventsSendRequest>;

export const EventsAppendRequest = z.object({
  session_id: LogId,
  events: z.array(SessionEventInput).min(1).max(1000),
  /** The position the first new event must get; the append fails with CONFLICT otherwise. */
  expected_seq: z.number().int().min(0).optional(),
  idempotency_key: IdempotencyKey.optional(),
});
export type EventsAppendRequest = z.infer<typeof EventsAppendRequest>;

export const EventsAppendResponse = z.object({ events: z.array(SessionEvent) });
export type EventsAppendResponse = z.infer<typeof EventsAppendResponse>;

export const EventsListRequest = z.object({
  session_id: LogId,
  from: z.number().int().min(0).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  types: z.array(SessionEventType).max(64).optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
  /** Compared against each event's `processed_at`. */
  created_at: CreatedAtRange.optional(),
});
export type EventsListRequest = z.infer<typeof EventsListRequest>;

export const EventsListResponse = z.object({
  data: z.array(SessionEvent),
  /** Where the next page starts (pass as `from`), or null at the end. */
  next_from: z.number().int().nullable(),
  /** Position of the session's last event, or -1 when it has none. */
  last_seq: z.number().int(),
});
export type EventsListResponse = z.infer<typeof EventsListResponse>;

export const TaskRef = z.object({ task_id: z.string().min(1).max(128) });

const store = (verb: string) => `corral.api.store.${verb}`;

/** The session-store's RPCs, served by every replica in the `session-store` queue group. */
export const STORE_RPC = {
  agentsCreate: defineRpc(store("agents.create"), AgentCreateParams, AgentRecord),
  agentsGet: defineRpc(store("agents.get"), AgentGetRequest, AgentRecord),
  agentsUpdate: defineRpc(store("agents.update"), AgentUpdateRequest, AgentRecord),
  agentsList: defineRpc(store("agents.list"), AgentListRequest, page(AgentRecord)),
  agentsArchive: defineRpc(store("agents.archive"), AgentRef, AgentRecord),
  agentsVersions: defineRpc(store("agents.versions"), AgentVersionsRequest, page(AgentRecord)),
  environmentsCreate: defineRpc(store("environments.create"), EnvironmentCreateParams, EnvironmentRecord),
  environmentsGet: defineRpc(store("environments.get"), EnvironmentRef, EnvironmentRecord),
  environmentsUpdate: defineRpc(store("environments.update"), EnvironmentUpdateRequest, EnvironmentRecord),
  environmentsList: defineRpc(store("environments.list"), PageQuery, page(EnvironmentRecord)),
  environmentsArchive: defineRpc(store("environments.archive"), EnvironmentRef, EnvironmentRecord),
  environmentsDelete: defineRpc(store("environments.delete"), EnvironmentRef, Deleted),
  sessionsCreate: defineRpc(store("sessions.create"), SessionCreateParams, SessionRecord),
  sessionsGet: defineRpc(store("sessions.get"), SessionRef, SessionRecord),
  sessionsList: defineRpc(store("sessions.list"), SessionListRequest, page(SessionRecord)),
  sessionsUpdate: defineRpc(store("sessions.update"), SessionUpdateRequest, SessionRecord),
  sessionsArchive: defineRpc(store("sessions.archive"), SessionRef, SessionRecord),
  sessionsDelete: defineRpc(store("sessions.delete"), SessionRef, Deleted),
  eventsSend: defineRpc(store("events.send"), EventsSendRequest, EventsAppendResponse),
  eventsAppend: defineRpc(store("events.append"), EventsAppendRequest, EventsAppendResponse),
  eventsList: defineRpc(store("events.list"), EventsListRequest, EventsListResponse),
  logAppend: defineRpc(store("log.append"), LogAppendRequest, EventsAppendResponse),
  tasksGet: defineRpc(store("tasks.get"), TaskRef, TaskRecord),
} as const;

export const STORE_QUEUE = "session-store";
