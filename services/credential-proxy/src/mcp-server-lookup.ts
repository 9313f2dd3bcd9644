import { CorralError, STORE_RPC, THREAD_RPC, type AgentSnapshot } from "@corral/protocol";
import { requestRetrying } from "./retry-policy.js";
import { resolveCredentials, type ResolvedCredential } from "./credential-resolution.js";
import type { McpCall, McpCaller, McpDeps } from "./mcp-context.js";

const sameUrl = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

function credentialFor(credentials: ResolvedCredential[], url: string): ResolvedCredential | null {
  const found = credentials.find(
    (c) =>
      (c.record.auth.type === "static_bearer" || c.record.auth.type === "mcp_oauth") &&
      sameUrl(c.record.auth.mcp_server_url, url),
  );
  return found ?? null;
}

/**
 * The caller's agent's MCP server by name, and the credential for its URL from the session's vaults. A
 * thread's agent names its own servers; the vaults are always the session's.
 */
export async function lookupMcpServer(
  deps: McpDeps,
  caller: McpCaller,
  serverName: string,
): Promise<McpCall> {
  const { sessionId, threadId } = caller;
  const { bus, retry } = deps;
  const session = await requestRetrying(bus, STORE_RPC.sessionsGet, { session_id: sessionId }, retry);
  const threadRef = threadId && { session_id: sessionId, thread_id: threadId };
  const agent: AgentSnapshot = threadRef
    ? (await requestRetrying(bus, THREAD_RPC.get, threadRef, retry)).agent
    : session.agent;
  const server = agent.mcp_servers.find((s) => s.name === serverName);
  if (!server)
    throw new CorralError(
      "NOT_FOUND",
      `the ${threadId ? "thread's" : "session's"} agent has no MCP server ${serverName}`,
    );
  const credentials = await resolveCredentials(deps.store, session.vault_ids);
  return {
    serverName,
    url: server.url,
    logId: threadId ?? sessionId,
    credential: credentialFor(credentials, server.url),
  };
}
