import { MCP_RPC } from "@corral/protocol";
import type { McpDeps } from "./mcp-context.js";
import { listMcpTools } from "./mcp-list-tools.js";
import { callMcpTool } from "./mcp-call-tool.js";
import type { Serve } from "./serve.js";

/**
 * MCP calls made for a session: the server comes from the caller's agent, its credential from the
 * session's vaults (matched by URL), and the token never leaves this process.
 */
export function serveMcp(serve: Serve, deps: McpDeps): void {
  serve(MCP_RPC.listTools, async (p) => ({
    tools: await listMcpTools(deps, { sessionId: p.session_id, threadId: p.thread_id }, p.mcp_server_name),
  }));
  serve(MCP_RPC.callTool, (p) =>
    callMcpTool(deps, {
      caller: { sessionId: p.session_id, threadId: p.thread_id },
      serverName: p.mcp_server_name,
      toolUseId: p.tool_use_id,
      tool: p.tool,
      input: p.input,
    }),
  );
}
