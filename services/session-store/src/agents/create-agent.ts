import { CorralError, newId, type AgentCreateParams, type AgentRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { checkAgentDefinition, modelConfig } from "./agent-definition.js";
import { versionKey } from "./get-agent.js";
import { newRecordWorkspace } from "../workspace-scope.js";

function newAgentRecord(params: AgentCreateParams): AgentRecord {
  const now = new Date().toISOString();
  return {
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
    workspace_id: newRecordWorkspace(),
  };
}

/** Version 1 is stored before the latest pointer, so a listed agent always has its version. */
export async function createAgent(state: StoreState, params: AgentCreateParams): Promise<AgentRecord> {
  const record = newAgentRecord(params);
  checkAgentDefinition(record);
  await state.buckets.agents.put(versionKey(record.id, 1), record);
  if ((await state.buckets.agents.create(record.id, record)) === null)
    throw new CorralError("CONFLICT", "agent id collision; retry");
  return record;
}
