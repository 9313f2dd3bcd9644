import { isCorralError, MCP_RPC, TIMEOUTS, type McpTool, type SessionEventInput } from "@corral/protocol";
import { request, retrying } from "@corral/bus";
import type { ToolCall } from "./state.js";
import { toolCatalog } from "./tool-catalog.js";
import { append, text, threadPart, type Run } from "./run-context.js";

function mcpError(server: string, error: unknown): SessionEventInput {
  const type = isCorralError(error, "MCP_AUTHENTICATION_FAILED")
    ? "mcp_authentication_failed_error"
    : "mcp_connection_failed_error";
  return {
    type: "session.error",
    error: {
      type,
      message: error instanceof Error ? error.message : String(error),
      mcp_server_name: server,
      retry_status: { type: "retrying" },
    },
  };
}

/**
 * An MCP request through the credential-proxy, waited out while the proxy restarts (UNAVAILABLE) for
 * `retryUnavailableMs`; the proxy's ledger runs a call once however often it is asked.
 */
function viaProxy<T>(run: Run, ask: () => Promise<T>): Promise<T> {
  return retrying(ask, {
    deadlineMs: run.deps.config.retryUnavailableMs,
    signal: run.stepAbort.signal,
    maxDelayMs: 2000,
    retryOn: (error) => error.code === "UNAVAILABLE",
  });
}

const serversOf = (run: Run) => [
  ...new Set(
    run.info.session.agent.tools.flatMap((t) => (t.type === "mcp_toolset" ? [t.mcp_server_name] : [])),
  ),
];

/**
 * MCP servers' tools, listed once per run through the credential-proxy (which holds their credentials),
 * join the catalog; a server that cannot be listed is recorded as an error and left out.
 */
export async function loadMcpTools(run: Run): Promise<void> {
  if (run.mcpListed) return;
  run.mcpListed = true;
  const servers = serversOf(run);
  if (servers.length === 0) return;
  const listed = new Map<string, McpTool[]>();
  const errors: SessionEventInput[] = [];
  await Promise.all(
    servers.map(async (server) => {
      try {
        const req = { session_id: run.info.sessionId, ...threadPart(run), mcp_server_name: server };
        listed.set(
          server,
          (await request(run.deps.bus, MCP_RPC.listTools, req, { timeoutMs: TIMEOUTS.mcpCallMs })).tools,
        );
      } catch (error) {
        run.log.warn({ err: error, mcp_server_name: server }, "MCP server could not be listed");
        errors.push(mcpError(server, error));
      }
    }),
  );
  if (errors.length) await append(run, errors);
  run.catalog = toolCatalog(run.info.session.agent, listed, {
    roster: run.info.roster,
    isThread: run.info.threadId !== null,
  });
}

/** An MCP tool call, made by the credential-proxy with the session's credentials. */
export async function runMcpTool(run: Run, call: ToolCall): Promise<SessionEventInput[]> {
  const server = call.server ?? "";
  const answer = (content: string, isError: boolean): SessionEventInput => ({
    type: "agent.mcp_tool_result",
    mcp_tool_use_id: call.id,
    content: text(content),
    is_error: isError,
  });
  try {
    const req = {
      session_id: run.info.sessionId,
      ...threadPart(run),
      mcp_server_name: server,
      tool: call.name,
      tool_use_id: call.id,
      input: call.input,
    };
    const ask = () => request(run.deps.bus, MCP_RPC.callTool, req, { timeoutMs: TIMEOUTS.mcpCallMs });
    const result = await viaProxy(run, ask);
    return [answer(result.content, result.is_error)];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const known =
      isCorralError(error, "MCP_AUTHENTICATION_FAILED") || isCorralError(error, "MCP_CONNECTION_FAILED");
    return [...(known ? [mcpError(server, error)] : []), answer(`The MCP call failed: ${message}`, true)];
  }
}
