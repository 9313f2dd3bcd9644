import {
  applyMetadataPatch,
  CorralError,
  type AgentId,
  type AgentRecord,
  type AgentUpdateParams,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { checkAgentDefinition, modelConfig } from "./agent-definition.js";
import { latestAgent, versionKey } from "./get-agent.js";
import { refuseArchived, replaceRecord } from "../records/record-writes.js";

/** The next version, or null when the update changes nothing (a metadata patch that changes nothing included). */
function applyUpdate(current: AgentRecord, params: AgentUpdateParams, now: string): AgentRecord | null {
  const next: AgentRecord = {
    ...current,
    ...(params.name !== undefined && { name: params.name }),
    ...(params.description !== undefined && { description: params.description }),
    ...(params.model !== undefined && { model: modelConfig(params.model) }),
    ...(params.system !== undefined && { system: params.system }),
    ...(params.tools !== undefined && { tools: params.tools ?? [] }),
    ...(params.mcp_servers !== undefined && { mcp_servers: params.mcp_servers ?? [] }),
    ...(params.skills !== undefined && { skills: params.skills ?? [] }),
    ...(params.multiagent !== undefined && { multiagent: params.multiagent }),
    metadata: applyMetadataPatch(current.metadata, params.metadata),
  };
  if (JSON.stringify(next) === JSON.stringify(current)) return null;
  return { ...next, version: current.version + 1, updated_at: now };
}

export async function updateAgent(
  state: StoreState,
  request: { agent_id: AgentId; params: AgentUpdateParams },
): Promise<AgentRecord> {
  const { agent_id: agentId, params } = request;
  const current = await latestAgent(state, agentId);
  refuseArchived(current.value, `agent ${agentId}`);
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
  await replaceRecord(
    state.buckets.agents,
    { key: agentId, what: `agent ${agentId}`, revision: current.revision },
    next,
  );
  await state.buckets.agents.put(versionKey(agentId, next.version), next);
  return next;
}
