import type { AgentRecord, AgentSnapshot } from "@corral/protocol";

/** The part of an agent version a session or thread keeps as its own. */
export function agentSnapshot(agent: AgentRecord): AgentSnapshot {
  const { id, version, name, description, model, system, tools, mcp_servers, skills, multiagent } = agent;
  return { id, version, name, description, model, system, tools, mcp_servers, skills, multiagent };
}
