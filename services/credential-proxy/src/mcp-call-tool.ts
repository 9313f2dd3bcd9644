import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { CorralError, isCorralError, type EventId, type McpCallResult } from "@corral/protocol";
import type { McpCaller, McpDeps } from "./mcp-context.js";
import { withMcpClient } from "./mcp-client.js";

export interface McpToolCall {
  caller: McpCaller;
  serverName: string;
  /** The agent.mcp_tool_use event's id: the call's key in the ledger. */
  toolUseId: EventId;
  tool: string;
  input: Record<string, unknown>;
}

async function runTool(client: Client, call: McpToolCall): Promise<McpCallResult> {
  const answer = await client.callTool({ name: call.tool, arguments: call.input });
  const content = Array.isArray(answer.content) ? (answer.content as { type: string; text?: string }[]) : [];
  return {
    content: content.map((c) => (c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n"),
    is_error: answer.isError === true,
  };
}

/** The answer already in the ledger for a repeated call; a call whose outcome was never written is not run. */
async function answerRepeat(deps: McpDeps, key: string, toolUseId: EventId): Promise<McpCallResult> {
  const entry = await deps.ledger.get(key);
  if (entry?.value.state === "done") return entry.value.result;
  throw new CorralError(
    "TOOL_OUTCOME_UNKNOWN",
    `MCP call ${toolUseId} was started before and its outcome is unknown; it is not run twice`,
  );
}

/**
 * Exactly once per tool use, across harness crashes and retries: the ledger entry is made before the
 * call, and a repeat is answered from it. A call that started but never finished is not run again.
 */
export async function callMcpTool(deps: McpDeps, call: McpToolCall): Promise<McpCallResult> {
  const key = `mcp.${call.toolUseId}`;
  if ((await deps.ledger.create(key, { state: "started" })) === null)
    return answerRepeat(deps, key, call.toolUseId);
  try {
    const result = await withMcpClient(deps, call.caller, call.serverName, (client) => runTool(client, call));
    await deps.ledger.put(key, { state: "done", result });
    return result;
  } catch (error) {
    // Refused before it ran (no connection, no valid credential): a retry may try again.
    if (isCorralError(error, "MCP_AUTHENTICATION_FAILED") || isCorralError(error, "MCP_CONNECTION_FAILED"))
      await deps.ledger.purge(key);
    throw error;
  }
}
