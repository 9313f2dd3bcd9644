import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { McpCall, McpCaller, McpDeps } from "./mcp-context.js";
import { lookupMcpServer } from "./mcp-server-lookup.js";
import { refreshAccessToken } from "./oauth-refresh.js";
import { authFailed, connectionFailed, isUnauthorized } from "./mcp-errors.js";
import { recordEvent } from "./record-event.js";
import { countCredentialUse } from "./metrics.js";
import { guardedFetch } from "./mcp-fetch.js";
import { briefError } from "./brief-error.js";

const REFRESH_MARGIN_MS = 30_000;

const tokenOf = (c: ResolvedCredential | null) =>
  c ? (c.record.auth.type === "static_bearer" ? c.secrets.token : c.secrets.access_token) : undefined;

function expiresSoon(credential: ResolvedCredential | null): boolean {
  const auth = credential?.record.auth;
  return (
    auth?.type === "mcp_oauth" &&
    !!auth.expires_at &&
    Date.parse(auth.expires_at) - Date.now() < REFRESH_MARGIN_MS
  );
}

/** Refreshes the call's OAuth token; any failure is the server refusing the credential. */
async function refreshCall(deps: McpDeps, call: McpCall, credential: ResolvedCredential): Promise<void> {
  call.credential = await refreshAccessToken(deps, credential).catch((error: unknown) => {
    throw authFailed(call.serverName, error);
  });
}

function recordUse(deps: McpDeps, call: McpCall, status: number): void {
  if (!call.credential) return;
  countCredentialUse(call.credential, "mcp");
  recordEvent(deps, call.logId, {
    type: "span.credential_use",
    credential_id: call.credential.record.id,
    vault_id: call.credential.record.vault_id,
    host: new URL(call.url).hostname,
    method: "POST",
    status,
  });
}

/** One connection with the call's current token: `use`'s result, or the error as it came. */
async function connectOnce<T>(deps: McpDeps, call: McpCall, use: (client: Client) => Promise<T>): Promise<T> {
  const token = tokenOf(call.credential);
  const transport = new StreamableHTTPClientTransport(new URL(call.url), {
    fetch: guardedFetch(deps.allow),
    ...(token && { requestInit: { headers: { authorization: `Bearer ${token}` } } }),
  });
  const client = new Client({ name: "corral", version: "1" });
  try {
    await client.connect(transport);
    const result = await use(client);
    recordUse(deps, call, 200);
    return result;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/** Connects to the caller's MCP server, runs `use`, disconnects; refreshes and retries once on a 401. */
export async function withMcpClient<T>(
  deps: McpDeps,
  caller: McpCaller,
  serverName: string,
  use: (client: Client) => Promise<T>,
): Promise<T> {
  const call = await lookupMcpServer(deps, caller, serverName);
  if (call.credential && expiresSoon(call.credential)) await refreshCall(deps, call, call.credential);
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectOnce(deps, call, use);
    } catch (error) {
      if (!isUnauthorized(error)) throw connectionFailed(serverName, briefError(error, call.credential));
      recordUse(deps, call, 401);
      const credential = call.credential;
      if (attempt > 1 || credential?.record.auth.type !== "mcp_oauth")
        throw authFailed(serverName, briefError(error, credential));
      await refreshCall(deps, call, credential);
    }
  }
}
