import type { McpTool } from "@corral/protocol";
import type { McpCaller, McpDeps } from "./mcp-context.js";
import { withMcpClient } from "./mcp-client.js";

/** The tools an MCP server of the caller's agent offers. */
export function listMcpTools(deps: McpDeps, caller: McpCaller, serverName: string): Promise<McpTool[]> {
  return withMcpClient(deps, caller, serverName, async (client) =>
    (await client.listTools()).tools.map((t) => ({
      name: t.name,
      description: t.description ?? "",
      input_schema: t.inputSchema as Record<string, unknown>,
    })),
  );
}
