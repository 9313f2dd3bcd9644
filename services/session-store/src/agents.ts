import {
  CorralError,
  newId,
  type AgentCreateParams,
  type AgentRecord,
  type AgentUpdateParams,
  type AgentModelParam,
  type ModelConfig,
} from "@corral/protocol";
import { AgentRecord as AgentRecordSchema } from "@corral/protocol";
import { createJson, getJson, putJson, type KV } from "@corral/bus";
import { listPage, type PageOf } from "@corral/bus";

// Zero-padded so that key order is version order.
const versionKey = (agentId: string, version: number) => `${agentId}.v.${String(version).padStart(8, "0")}`;

function modelConfig(model: AgentModelParam): ModelConfig {
  return typeof model === "string" ? { id: model } : model;
}

/** Rules the schema alone cannot state: names unique, every MCP toolset backed by a declared server. */
export function checkAgentDefinition(agent: Pick<AgentRecord, "tools" | "mcp_servers">): void {
  const servers = new Set<string>();
  for (const server of agent.mcp_servers) {
    if (servers.has(server.name))
      throw new CorralError("INVALID_REQUEST", `mcp_servers: duplicate name ${server.name}`);
    servers.add(server.name);
  }
  const customNames = new Set<string>();
  for (const tool of agent.tools) {
    if (tool.type === "mcp_toolset" && !servers.has(tool.mcp_server_name)) {
      throw new CorralError(
        "INVALID_REQUEST",
        `tools: mcp_toolset names unknown mcp server ${tool.mcp_server_name}`,
      );
    }
    if (tool.type === "custom") {
      if (customNames.has(tool.name))
        throw new CorralError("INVALID_REQUEST", `tools: duplicate custom tool ${tool.name}`);
      customNames.add(tool.name);
    }
  }
}

export interface AgentStore {
  create(params: AgentCreateParams): Promise<AgentRecord>;
  get(agentId: string, version?: number): Promise<AgentRecord>;
  update(agentId: string, params: AgentUpdateParams): Promise<AgentRecord>;
  list(query: {
    limit: number;
    page?: string | undefined;
    include_archived: boolean;
  }): Promise<PageOf<AgentRecord>>;
  versions(
    agentId: string,
    query: { limit: number; page?: string | undefined },
  ): Promise<PageOf<AgentRecord>>;
  archive(agentId: string): Promise<AgentRecord>;
}

function applyUpdate(current: AgentRecord, params: AgentUpdateParams, now: string): AgentRecord | null {
  const next: AgentRecord = {
    ...current,
    ...(params.name !== undefined && { name: params.name }),
    ...(params.description !== undefined && { description: params.description }),
    ...(params.model !== undefined && { model: modelConfig(params.model) }),
    ...(params.system !== undefined && { system: params.system }),
    ...(params.tools !== undefined && { tools: params.tools }),
    ...(params.mcp_servers !== undefined && { mcp_servers: params.mcp_servers }),
    ...(params.skills !== undefined && { skills: params.skills }),
    ...(params.multiagent !== undefined && { multiagent: params.multiagent }),
    ...(params.metadata !== undefined && { metadata: params.metadata }),
  };
  if (JSON.stringify(next) === JSON.stringify(current)) return null;
  return { ...next, version: current.version + 1, updated_at: now };
}

export function createAgentStore(kv: KV): AgentStore {
  async function latest(agentId: string) {
    const entry = await getJson(kv, AgentRecordSchema, agentId);
    if (!entry) throw new CorralError("NOT_FOUND", `agent ${agentId} not found`);
    return entry;
  }

  return {
    async create(params) {
      const now = new Date().toISOString();
      const record: AgentRecord = {
        id: newId("agent"),
        type: "agent",
        name: params.name,
        description: params.description ?? null,
        model: modelConfig(params.model),
        system: params.system ?? null,
        tools: params.tools ?? [],
        mcp_servers: params.mcp_servers ?? [],
        skills: params.skills ?? [],
        multiagent: params.multiagent ?? null,
        metadata: params.metadata ?? {},
        version: 1,
        created_at: now,
        updated_at: now,
        archived_at: null,
      };
      checkAgentDefinition(record);
      await putJson(kv, versionKey(record.id, 1), record);
      if ((await createJson(kv, record.id, record)) === null)
        throw new CorralError("CONFLICT", "agent id collision; retry");
      return record;
    },
    async get(agentId, version) {
      const current = (await latest(agentId)).value;
      if (version === undefined || version === current.version) return current;
      const entry = await getJson(kv, AgentRecordSchema, versionKey(agentId, version));
      if (!entry) throw new CorralError("NOT_FOUND", `agent ${agentId} has no version ${version}`);
      return entry.value;
    },
    async update(agentId, params) {
      const current = await latest(agentId);
      if (current.value.archived_at)
        throw new CorralError("ARCHIVED", `agent ${agentId} is archived and read-only`);
      if (params.version !== undefined && params.version !== current.value.version) {
        throw new CorralError(
          "CONFLICT",
          `agent ${agentId} is at version ${current.value.version}, not ${params.version}`,
          { retryable: false },
        );
      }
      const next = applyUpdate(current.value, params, new Date().toISOString());
      if (!next) return current.value;
      checkAgentDefinition(next);
      try {
        await kv.update(agentId, JSON.stringify(next), current.revision);
      } catch (error) {
        throw new CorralError("CONFLICT", `agent ${agentId} was changed concurrently; retry`, {
          cause: error,
        });
      }
      await putJson(kv, versionKey(agentId, next.version), next);
      return next;
    },
    list(query) {
      return listPage(kv, AgentRecordSchema, {
        ...query,
        order: "desc",
        filter: "*",
        keep: (a) => query.include_archived || !a.archived_at,
      });
    },
    async versions(agentId, query) {
      await latest(agentId);
      return listPage(kv, AgentRecordSchema, {
        ...query,
        order: "desc",
        filter: `${agentId}.v.*`,
        keep: () => true,
      });
    },
    async archive(agentId) {
      const current = await latest(agentId);
      if (current.value.archived_at) return current.value;
      const now = new Date().toISOString();
      const next = { ...current.value, archived_at: now, updated_at: now };
      await kv.update(agentId, JSON.stringify(next), current.revision);
      return next;
    },
  };
}
