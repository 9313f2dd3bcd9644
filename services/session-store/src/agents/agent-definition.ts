import { CorralError, type AgentModelParam, type AgentRecord, type ModelConfig } from "@corral/protocol";

/** What the record holds: a bare id or a bare effort level as objects, null settings as absent ones. */
export function modelConfig(model: AgentModelParam): ModelConfig {
  if (typeof model === "string") return { id: model };
  const effort = typeof model.effort === "string" ? { type: model.effort } : model.effort;
  return { id: model.id, ...(effort && { effort }), ...(model.speed && { speed: model.speed }) };
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
