import { z } from "zod";
import { defineRpc } from "./rpc-def.js";
import {} from "./primitives.js";
import { EventId, SessionId, ThreadId } from "./ids.js";

const ServerRef = z.object({
  session_id: SessionId,
  /** A sub-agent's thread making the call: the server comes from its agent, the credential from the session's vaults. */
  thread_id: ThreadId.optional(),
  mcp_server_name: z.string().min(1).max(255),
});

export const McpTool = z.object({
  name: z.string().min(1).max(128),
  description: z.string().max(10_000).default(""),
  input_schema: z.record(z.string(), z.unknown()),
});
export type McpTool = z.infer<typeof McpTool>;

export const McpCallRequest = ServerRef.extend({
  /** The agent.mcp_tool_use event's id: a retried call with the same id is answered, not run again. */
  tool_use_id: EventId,
  tool: z.string().min(1).max(128),
  input: z.record(z.string(), z.unknown()),
});
export type McpCallRequest = z.infer<typeof McpCallRequest>;

export const McpCallResult = z.object({ content: z.string(), is_error: z.boolean() });
export type McpCallResult = z.infer<typeof McpCallResult>;

/**
 * MCP through the credential-proxy: the harness names the session and one of its agent's `mcp_servers`;
 * the proxy finds the server's credential in the session's vaults and makes the call. Failures are
 * `MCP_CONNECTION_FAILED` or `MCP_AUTHENTICATION_FAILED`.
 */
export const MCP_RPC = {
  listTools: defineRpc("corral.api.mcp.list_tools", ServerRef, z.object({ tools: z.array(McpTool) })),
  callTool: defineRpc("corral.api.mcp.call_tool", McpCallRequest, McpCallResult),
} as const;
