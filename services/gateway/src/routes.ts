import { z } from "zod";
import {
  AgentCreateParams,
  AgentRecord,
  AgentUpdateParams,
  ClientEventInput,
  CorralError,
  EnvironmentCreateParams,
  EnvironmentRecord,
  EnvironmentUpdateParams,
  SessionCreateParams,
  SessionEvent,
  SessionEventType,
  SessionRecord,
  SessionStatus,
  SessionUpdateParams,
  STORE_RPC,
  AgentId,
  EnvironmentId,
  SessionId,
  VAULT_RPC,
  VaultId,
  CredentialId,
  VaultCreateParams,
  VaultUpdateParams,
  VaultRecord,
  CredentialCreateParams,
  CredentialUpdateParams,
  CredentialRecord,
  THREAD_RPC,
  ThreadId,
  ThreadRecord,
} from "@corral/protocol";
import { request, type Bus } from "@corral/bus";

/** Everything a handler may use; routes reach the rest of Corral only through `bus`. */
export interface RouteContext {
  bus: Bus;
  headers: Record<string, string | string[] | undefined>;
}

type Obj = z.ZodObject;

export interface Route<
  P extends Obj = Obj,
  Q extends Obj = Obj,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  method: "GET" | "POST" | "DELETE";
  /** Fastify syntax: `/v1/agents/:agent_id`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: R;
  handler(
    input: { params: z.output<P>; query: z.output<Q>; body: z.output<B> },
    ctx: RouteContext,
  ): Promise<z.input<R>>;
}

const route = <P extends Obj, Q extends Obj, B extends z.ZodType, R extends z.ZodType>(
  r: Route<P, Q, B, R>,
) => r as unknown as Route;

// Query strings carry text: numbers and booleans are coerced, a single value stands for a one-item list.
const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);
const Flag = z.enum(["true", "false"]).transform((v) => v === "true");
const listOf = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess((v) => (typeof v === "string" ? [v] : v), z.array(item).max(max));
const Cursor = z.string().max(200);

const PageQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  include_archived: Flag.default(false),
});
const page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_page: z.string().nullable() });
const Deleted = z.object({ id: z.string(), type: z.string() });

const AgentPath = z.strictObject({ agent_id: AgentId });
const EnvironmentPath = z.strictObject({ environment_id: EnvironmentId });
const SessionPath = z.strictObject({ session_id: SessionId });
export const ThreadPath = z.strictObject({ session_id: SessionId, thread_id: ThreadId });
const VaultPath = z.strictObject({ vault_id: VaultId });
const CredentialPath = z.strictObject({ vault_id: VaultId, credential_id: CredentialId });

// Event pages are positions in the log; the cursor is opaque to clients.
const EventCursor = z.object({ from: z.number().int().min(0), order: z.enum(["asc", "desc"]) });
const encodeEventCursor = (c: z.infer<typeof EventCursor>) =>
  Buffer.from(JSON.stringify(c)).toString("base64url");
function decodeEventCursor(page: string): z.infer<typeof EventCursor> {
  try {
    return EventCursor.parse(JSON.parse(Buffer.from(page, "base64url").toString("utf8")));
  } catch {
    throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
  }
}

export const EventsListQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  order: z.enum(["asc", "desc"]).default("asc"),
  types: listOf(SessionEventType, 64).optional(),
});

export const EventsSendBody = z.strictObject({ events: z.array(ClientEventInput).min(1).max(100) });

export const StreamQuery = z.strictObject({
  event_deltas: listOf(z.enum(["agent.message", "agent.thinking"]), 2).optional(),
});

/** An idempotency key makes a retried send land once (`Idempotency-Key`, as in Stripe and others). */
function idempotencyKey(headers: RouteContext["headers"]): string | undefined {
  const value = headers["idempotency-key"];
  return typeof value === "string" && value ? value : undefined;
}

/** A page of a log (a session's, or one of its threads'). */
async function listLog(bus: Bus, logId: string, query: z.output<typeof EventsListQuery>) {
  const cursor = query.page ? decodeEventCursor(query.page) : null;
  if (cursor && cursor.order !== query.order)
    throw new CorralError("INVALID_REQUEST", "page was returned for the other order");
  const result = await request(bus, STORE_RPC.eventsList, {
    session_id: logId,
    limit: query.limit,
    order: query.order,
    ...(cursor && { from: cursor.from }),
    ...(query.types && { types: query.types }),
  });
  return {
    data: result.data,
    next_page:
      result.next_from === null ? null : encodeEventCursor({ from: result.next_from, order: query.order }),
  };
}

export const ROUTES: Route[] = [
  // ---- agents
  route({
    method: "POST",
    path: "/v1/agents",
    operationId: "agents.create",
    summary: "Create an agent",
    tag: "agents",
    body: AgentCreateParams,
    response: AgentRecord,
    handler: ({ body }, { bus }) => request(bus, STORE_RPC.agentsCreate, body),
  }),
  route({
    method: "GET",
    path: "/v1/agents",
    operationId: "agents.list",
    summary: "List agents",
    tag: "agents",
    query: PageQuery,
    response: page(AgentRecord),
    handler: ({ query }, { bus }) => request(bus, STORE_RPC.agentsList, query),
  }),
  route({
    method: "GET",
    path: "/v1/agents/:agent_id",
    operationId: "agents.retrieve",
    summary: "Get an agent (its latest version, or `version`)",
    tag: "agents",
    params: AgentPath,
    query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
    response: AgentRecord,
    handler: ({ params, query }, { bus }) =>
      request(bus, STORE_RPC.agentsGet, {
        agent_id: params.agent_id,
        ...(query.version !== undefined && { version: query.version }),
      }),
  }),
  route({
    method: "POST",
    path: "/v1/agents/:agent_id",
    operationId: "agents.update",
    summary: "Update an agent: creates a new immutable version",
    tag: "agents",
    params: AgentPath,
    body: AgentUpdateParams,
    response: AgentRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, STORE_RPC.agentsUpdate, { agent_id: params.agent_id, params: body }),
  }),
  route({
    method: "POST",
    path: "/v1/agents/:agent_id/archive",
    operationId: "agents.archive",
    summary: "Archive an agent (permanent)",
    tag: "agents",
    params: AgentPath,
    response: AgentRecord,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.agentsArchive, { agent_id: params.agent_id }),
  }),
  route({
    method: "GET",
    path: "/v1/agents/:agent_id/versions",
    operationId: "agents.versions.list",
    summary: "List an agent's versions",
    tag: "agents",
    params: AgentPath,
    query: PageQuery,
    response: page(AgentRecord),
    handler: ({ params, query }, { bus }) =>
      request(bus, STORE_RPC.agentsVersions, { agent_id: params.agent_id, ...query }),
  }),

  // ---- environments
  route({
    method: "POST",
    path: "/v1/environments",
    operationId: "environments.create",
    summary: "Create an environment",
    tag: "environments",
    body: EnvironmentCreateParams,
    response: EnvironmentRecord,
    handler: ({ body }, { bus }) => request(bus, STORE_RPC.environmentsCreate, body),
  }),
  route({
    method: "GET",
    path: "/v1/environments",
    operationId: "environments.list",
    summary: "List environments",
    tag: "environments",
    query: PageQuery,
    response: page(EnvironmentRecord),
    handler: ({ query }, { bus }) => request(bus, STORE_RPC.environmentsList, query),
  }),
  route({
    method: "GET",
    path: "/v1/environments/:environment_id",
    operationId: "environments.retrieve",
    summary: "Get an environment",
    tag: "environments",
    params: EnvironmentPath,
    response: EnvironmentRecord,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.environmentsGet, params),
  }),
  route({
    method: "POST",
    path: "/v1/environments/:environment_id",
    operationId: "environments.update",
    summary: "Update an environment (applies to new sandboxes)",
    tag: "environments",
    params: EnvironmentPath,
    body: EnvironmentUpdateParams,
    response: EnvironmentRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, STORE_RPC.environmentsUpdate, { environment_id: params.environment_id, params: body }),
  }),
  route({
    method: "DELETE",
    path: "/v1/environments/:environment_id",
    operationId: "environments.delete",
    summary: "Delete an environment",
    tag: "environments",
    params: EnvironmentPath,
    response: Deleted,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.environmentsDelete, params),
  }),
  route({
    method: "POST",
    path: "/v1/environments/:environment_id/archive",
    operationId: "environments.archive",
    summary: "Archive an environment",
    tag: "environments",
    params: EnvironmentPath,
    response: EnvironmentRecord,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.environmentsArchive, params),
  }),

  // ---- sessions
  route({
    method: "POST",
    path: "/v1/sessions",
    operationId: "sessions.create",
    summary: "Create a session",
    tag: "sessions",
    body: SessionCreateParams,
    response: SessionRecord,
    handler: ({ body }, { bus }) => request(bus, STORE_RPC.sessionsCreate, body),
  }),
  route({
    method: "GET",
    path: "/v1/sessions",
    operationId: "sessions.list",
    summary: "List sessions, newest first unless `order=asc`",
    tag: "sessions",
    query: PageQuery.extend({
      agent_id: AgentId.optional(),
      statuses: listOf(SessionStatus, 4).optional(),
      order: z.enum(["asc", "desc"]).default("desc"),
    }),
    response: page(SessionRecord).extend({ prev_page: z.string().nullable() }),
    handler: async ({ query }, { bus }) => ({
      ...(await request(bus, STORE_RPC.sessionsList, query)),
      prev_page: null,
    }),
  }),
  route({
    method: "GET",
    path: "/v1/sessions/:session_id",
    operationId: "sessions.retrieve",
    summary: "Get a session",
    tag: "sessions",
    params: SessionPath,
    response: SessionRecord,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.sessionsGet, params),
  }),
  route({
    method: "POST",
    path: "/v1/sessions/:session_id",
    operationId: "sessions.update",
    summary: "Update a session's title, metadata, budget or tools",
    tag: "sessions",
    params: SessionPath,
    body: SessionUpdateParams,
    response: SessionRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, STORE_RPC.sessionsUpdate, { session_id: params.session_id, params: body }),
  }),
  route({
    method: "DELETE",
    path: "/v1/sessions/:session_id",
    operationId: "sessions.delete",
    summary: "Delete a session and its history",
    tag: "sessions",
    params: SessionPath,
    response: Deleted,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.sessionsDelete, params),
  }),
  route({
    method: "POST",
    path: "/v1/sessions/:session_id/archive",
    operationId: "sessions.archive",
    summary: "Archive a session (read-only from then on)",
    tag: "sessions",
    params: SessionPath,
    response: SessionRecord,
    handler: ({ params }, { bus }) => request(bus, STORE_RPC.sessionsArchive, params),
  }),

  // ---- events
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/events",
    operationId: "sessions.events.list",
    summary: "List a session's events",
    tag: "events",
    params: SessionPath,
    query: EventsListQuery,
    response: page(SessionEvent),
    handler: ({ params, query }, { bus }) => listLog(bus, params.session_id, query),
  }),
  route({
    method: "POST",
    path: "/v1/sessions/:session_id/events",
    operationId: "sessions.events.send",
    summary: "Send events (messages, interrupts, confirmations, tool results)",
    tag: "events",
    params: SessionPath,
    body: EventsSendBody,
    response: z.object({ data: z.array(SessionEvent) }),
    handler: async ({ params, body }, { bus, headers }) => {
      const key = idempotencyKey(headers);
      const result = await request(bus, STORE_RPC.eventsSend, {
        session_id: params.session_id,
        events: body.events,
        ...(key && { idempotency_key: key }),
      });
      return { data: result.events };
    },
  }),

  // ---- threads of multiagent sessions
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/threads",
    operationId: "sessions.threads.list",
    summary: "List a session's sub-agent threads",
    tag: "threads",
    params: SessionPath,
    query: z.strictObject({
      limit: Limit(1000, 100),
      page: Cursor.optional(),
      statuses: listOf(SessionStatus, 4).optional(),
      include_archived: Flag.default(false),
    }),
    response: page(ThreadRecord),
    handler: async ({ params, query }, { bus }) => {
      await request(bus, STORE_RPC.sessionsGet, params);
      // A session has few threads (at most 25 run at once): one page holds them, the cursor is an offset.
      const { data } = await request(bus, THREAD_RPC.list, {
        session_id: params.session_id,
        include_archived: query.include_archived,
        ...(query.statuses && { statuses: query.statuses }),
      });
      const offset = query.page ? Number.parseInt(query.page, 10) : 0;
      if (!Number.isInteger(offset) || offset < 0)
        throw new CorralError("INVALID_REQUEST", "page is not a cursor this API returned");
      const end = offset + query.limit;
      return { data: data.slice(offset, end), next_page: end < data.length ? String(end) : null };
    },
  }),
  route({
    method: "GET",
    path: "/v1/sessions/:session_id/threads/:thread_id",
    operationId: "sessions.threads.retrieve",
    summary: "Get a thread",
    tag: "threads",
    params: ThreadPath,
    response: ThreadRecord,
    handler: ({ params }, { bus }) => request(bus, THREAD_RPC.get, params),
  }),
  route({
    method: "POST",
    path: "/v1/sessions/:session_id/threads/:thread_id/archive",
    operationId: "sessions.threads.archive",
    summary: "Archive a thread",
    tag: "threads",
    params: ThreadPath,
    response: ThreadRecord,
    handler: ({ params }, { bus }) => request(bus, THREAD_RPC.archive, params),
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
    handler: async ({ params, query }, { bus }) => {
      await request(bus, THREAD_RPC.get, params);
      return listLog(bus, params.thread_id, query);
    },
  }),

  // ---- vaults and credentials (secrets go in, never come out)
  route({
    method: "POST",
    path: "/v1/vaults",
    operationId: "vaults.create",
    summary: "Create a vault",
    tag: "vaults",
    body: VaultCreateParams,
    response: VaultRecord,
    handler: ({ body }, { bus }) => request(bus, VAULT_RPC.vaultsCreate, body),
  }),
  route({
    method: "GET",
    path: "/v1/vaults",
    operationId: "vaults.list",
    summary: "List vaults",
    tag: "vaults",
    query: PageQuery,
    response: page(VaultRecord),
    handler: ({ query }, { bus }) => request(bus, VAULT_RPC.vaultsList, query),
  }),
  route({
    method: "GET",
    path: "/v1/vaults/:vault_id",
    operationId: "vaults.retrieve",
    summary: "Get a vault",
    tag: "vaults",
    params: VaultPath,
    response: VaultRecord,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.vaultsGet, params),
  }),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id",
    operationId: "vaults.update",
    summary: "Update a vault",
    tag: "vaults",
    params: VaultPath,
    body: VaultUpdateParams,
    response: VaultRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, VAULT_RPC.vaultsUpdate, { vault_id: params.vault_id, params: body }),
  }),
  route({
    method: "DELETE",
    path: "/v1/vaults/:vault_id",
    operationId: "vaults.delete",
    summary: "Delete a vault and its credentials",
    tag: "vaults",
    params: VaultPath,
    response: Deleted,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.vaultsDelete, params),
  }),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/archive",
    operationId: "vaults.archive",
    summary: "Archive a vault (its secrets are destroyed)",
    tag: "vaults",
    params: VaultPath,
    response: VaultRecord,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.vaultsArchive, params),
  }),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/credentials",
    operationId: "vaults.credentials.create",
    summary: "Add a credential (its secret is write-only)",
    tag: "vaults",
    params: VaultPath,
    body: CredentialCreateParams,
    response: CredentialRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, VAULT_RPC.credentialsCreate, { vault_id: params.vault_id, params: body }),
  }),
  route({
    method: "GET",
    path: "/v1/vaults/:vault_id/credentials",
    operationId: "vaults.credentials.list",
    summary: "List a vault's credentials",
    tag: "vaults",
    params: VaultPath,
    query: PageQuery,
    response: page(CredentialRecord),
    handler: ({ params, query }, { bus }) =>
      request(bus, VAULT_RPC.credentialsList, { vault_id: params.vault_id, ...query }),
  }),
  route({
    method: "GET",
    path: "/v1/vaults/:vault_id/credentials/:credential_id",
    operationId: "vaults.credentials.retrieve",
    summary: "Get a credential (without its secret)",
    tag: "vaults",
    params: CredentialPath,
    response: CredentialRecord,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.credentialsGet, params),
  }),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/credentials/:credential_id",
    operationId: "vaults.credentials.update",
    summary: "Update or rotate a credential",
    tag: "vaults",
    params: CredentialPath,
    body: CredentialUpdateParams,
    response: CredentialRecord,
    handler: ({ params, body }, { bus }) =>
      request(bus, VAULT_RPC.credentialsUpdate, { ...params, params: body }),
  }),
  route({
    method: "DELETE",
    path: "/v1/vaults/:vault_id/credentials/:credential_id",
    operationId: "vaults.credentials.delete",
    summary: "Delete a credential",
    tag: "vaults",
    params: CredentialPath,
    response: Deleted,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.credentialsDelete, params),
  }),
  route({
    method: "POST",
    path: "/v1/vaults/:vault_id/credentials/:credential_id/archive",
    operationId: "vaults.credentials.archive",
    summary: "Archive a credential (its secret is destroyed)",
    tag: "vaults",
    params: CredentialPath,
    response: CredentialRecord,
    handler: ({ params }, { bus }) => request(bus, VAULT_RPC.credentialsArchive, params),
  }),
];
