import { CorralError, type AgentSnapshot, type SessionAgentParam } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { checkAgentDefinition, modelConfig } from "../agents/agent-definition.js";
import { agentSnapshot } from "../agents/agent-snapshot.js";
import { getAgent } from "../agents/get-agent.js";

/** The agent a new session runs: a version, with the session's overrides applied. */
async function sessionAgent(state: StoreState, param: SessionAgentParam): Promise<AgentSnapshot> {
  if (typeof param === "string") return agentSnapshot(await getAgent(state, param));
  const base = agentSnapshot(await getAgent(state, param.id, param.version));
  if (param.type === "agent") return base;
  const merged: AgentSnapshot = {
    ...base,
    ...(param.model !== undefined && { model: modelConfig(param.model) }),
    ...(param.system !== undefined && { system: param.system }),
    ...(param.tools !== undefined && { tools: param.tools }),
    ...(param.mcp_servers !== undefined && { mcp_servers: param.mcp_servers }),
    ...(param.skills !== undefined && { skills: param.skills }),
  };
  checkAgentDefinition(merged);
  return merged;
}

/** The session's agent, refused when the agent is archived. */
export async function resolveSessionAgent(
  state: StoreState,
  param: SessionAgentParam,
): Promise<AgentSnapshot> {
  const agent = await sessionAgent(state, param);
  if ((await getAgent(state, agent.id)).archived_at)
    throw new CorralError("ARCHIVED", `agent ${agent.id} is archived`);
  return agent;
}
