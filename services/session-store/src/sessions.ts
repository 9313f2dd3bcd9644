import { CorralError, newId } from "@corral/protocol";
import type {
  AgentRecord,
  AgentSnapshot,
  SessionAgentParam,
  SessionCreateParams,
  SessionRecord,
  SessionUpdateParams,
  SessionListRequest,
} from "@corral/protocol";
import { createJson, getJson, updateJson, type KV, type SessionLog } from "@corral/bus";
import { StoredSession, visibleRecord } from "./session-state.js";
import { listPage, type PageOf } from "@corral/bus";
import { checkAgentDefinition, type AgentStore } from "./agents.js";
import type { EnvironmentStore } from "./environments.js";

export interface SessionStore {
  create(params: SessionCreateParams, sessionId?: string): Promise<SessionRecord>;
  get(sessionId: string): Promise<SessionRecord>;
  stored(sessionId: string): Promise<StoredSession>;
  list(query: SessionListRequest): Promise<PageOf<SessionRecord>>;
  update(
    sessionId: string,
    params: SessionUpdateParams,
  ): Promise<{ record: SessionRecord; changed: Record<string, unknown> }>;
  archive(sessionId: string): Promise<SessionRecord>;
  remove(sessionId: string): Promise<void>;
}

export function snapshot(agent: AgentRecord): AgentSnapshot {
  const { id, version, name, description, model, system, tools, mcp_servers, skills, multiagent } = agent;
  return { id, version, name, description, model, system, tools, mcp_servers, skills, multiagent };
}

async function resolveAgent(agents: AgentStore, param: SessionAgentParam): Promise<AgentSnapshot> {
  if (typeof param === "string") return snapshot(await agents.get(param));
  const base = snapshot(await agents.get(param.id, param.version));
  if (param.type === "agent") return base;
  const merged: AgentSnapshot = {
    ...base,
    ...(param.model !== undefined && {
      model: typeof param.model === "string" ? { id: param.model } : param.model,
    }),
    ...(param.system !== undefined && { system: param.system }),
    ...(param.tools !== undefined && { tools: param.tools }),
    ...(param.mcp_servers !== undefined && { mcp_servers: param.mcp_servers }),
    ...(param.skills !== undefined && { skills: param.skills }),
  };
  checkAgentDefinition(merged);
  return merged;
}

function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null>,
): Record<string, string> {
  const next = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  if (Object.keys(next).length > 16) throw new CorralError("INVALID_REQUEST", "metadata: at most 16 keys");
  return next;
}

export function createSessionStore(deps: {
  kv: KV;
  log: SessionLog;
  agents: AgentStore;
  environments: EnvironmentStore;
}): SessionStore {
  const { kv, log, agents, environments } = deps;

  async function stored(sessionId: string): Promise<StoredSession> {
    const entry = await getJson(kv, StoredSession, sessionId);
    if (!entry) throw new CorralError("NOT_FOUND", `session ${sessionId} not found`);
    return entry.value;
  }

  async function change(
    sessionId: string,
    fn: (s: StoredSession) => StoredSession | undefined,
  ): Promise<StoredSession> {
    const entry = await updateJson(kv, StoredSession, sessionId, fn);
    if (!entry) throw new CorralError("NOT_FOUND", `session ${sessionId} not found`);
    return entry.value;
  }

  function refuseWhileRunning(s: StoredSession, verb: string): void {
    if (visibleRecord(s).status === "running")
      throw new CorralError(
        "CONFLICT",
        `cannot ${verb} a running session (or one with running threads); interrupt it first`,
        { retryable: false },
      );
  }

  return {
    async create(params, sessionId) {
      const agent = await resolveAgent(agents, params.agent);
      if ((await agents.get(agent.id)).archived_at)
        throw new CorralError("ARCHIVED", `agent ${agent.id} is archived`);
      const environment = await environments.get(params.environment_id);
      if (environment.archived_at)
        throw new CorralError("ARCHIVED", `environment ${environment.id} is archived`);
      const now = new Date().toISOString();
      const record: SessionRecord = {
        id: sessionId ?? newId("session"),
        type: "session",
        status: "idle",
        stop_reason: null,
        title: params.title ?? null,
        agent,
        environment_id: environment.id,
        resources: params.resources ?? [],
        vault_ids: params.vault_ids ?? [],
        metadata: params.metadata ?? {},
        usage: {
          input_tokens: 0,
          output_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
        stats: { active_seconds: 0, duration_seconds: 0 },
        budget: params.budget ?? null,
        task_id: params.task_id ?? null,
        event_count: 0,
        created_at: now,
        updated_at: now,
        archived_at: null,
      } as SessionRecord;
      const state: StoredSession = {
        record,
        status_seq: -1,
        usage_seq: -1,
        running_since: null,
        threads_usage: {},
        threads_running: [],
      };
      if ((await createJson(kv, record.id, state)) === null) {
        if (sessionId) return (await stored(sessionId)).record;
        throw new CorralError("CONFLICT", "session id collision; retry");
      }
      return record;
    },
    async get(sessionId) {
      const record = visibleRecord(await stored(sessionId));
      const head = await log.head(sessionId);
      const end = record.archived_at ? Date.parse(record.archived_at) : Date.now();
      return {
        ...record,
        event_count: head ? head.lastSeq + 1 : 0,
        stats: {
          ...record.stats,
          duration_seconds: Math.max(0, (end - Date.parse(record.created_at)) / 1000),
        },
      };
    },
    stored,
    async list(query) {
      const page = await listPage(kv, StoredSession, {
        limit: query.limit,
        page: query.page,
        order: query.order,
        filter: "*",
        keep: (state) => {
          const record = visibleRecord(state);
          return (
            (query.include_archived || !record.archived_at) &&
            (!query.agent_id || record.agent.id === query.agent_id) &&
            (!query.statuses || query.statuses.includes(record.status))
          );
        },
      });
      return { data: page.data.map(visibleRecord), next_page: page.next_page };
    },
    async update(sessionId, params) {
      const changed: Record<string, unknown> = {};
      const next = await change(sessionId, (s) => {
        if (s.record.archived_at)
          throw new CorralError("ARCHIVED", `session ${sessionId} is archived and read-only`);
        const record = { ...s.record, updated_at: new Date().toISOString() };
        if (params.title !== undefined) record.title = changed.title = params.title;
        if (params.metadata !== undefined)
          record.metadata = changed.metadata = mergeMetadata(record.metadata, params.metadata);
        if (params.budget !== undefined) record.budget = changed.budget = params.budget;
        if (params.agent !== undefined) {
          record.agent = { ...record.agent, ...params.agent };
          checkAgentDefinition(record.agent);
          changed.agent = record.agent;
        }
        return { ...s, record };
      });
      return { record: next.record, changed };
    },
    async archive(sessionId) {
      const next = await change(sessionId, (s) => {
        if (s.record.archived_at) return undefined;
        refuseWhileRunning(s, "archive");
        const now = new Date().toISOString();
        return { ...s, record: { ...s.record, archived_at: now, updated_at: now } };
      });
      return next.record;
    },
    async remove(sessionId) {
      refuseWhileRunning(await stored(sessionId), "delete");
      await kv.delete(sessionId);
    },
  };
}
