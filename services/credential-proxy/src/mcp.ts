import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { z } from "zod";
import {
  CorralError,
  McpCallResult,
  STORE_RPC,
  THREAD_RPC,
  type McpTool,
  type SessionEventInput,
} from "@corral/protocol";
import { createJson, getJson, putJson, request, type Bus, type KV } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { ResolvedCredential, VaultService } from "./vaults.js";

const REFRESH_MARGIN_MS = 30_000;
const TokenResponse = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().optional(),
  refresh_token: z.string().optional(),
});

class Unauthorized extends Error {}

/** Who calls: a session, or one of its sub-agent threads (whose log records the credential's use). */
export interface McpCaller {
  sessionId: string;
  threadId?: string | undefined;
}

export interface McpGateway {
  listTools(caller: McpCaller, serverName: string): Promise<McpTool[]>;
  callTool(
    caller: McpCaller,
    serverName: string,
    toolUseId: string,
    tool: string,
    input: Record<string, unknown>,
  ): Promise<McpCallResult>;
}

const LedgerEntry = z.discriminatedUnion("state", [
  z.object({ state: z.literal("started") }),
  z.object({ state: z.literal("done"), result: McpCallResult }),
]);

/**
 * MCP calls made for a session: the server comes from the session's agent, its credential from the
 * session's vaults (matched by URL), and the token never leaves this process. Expired OAuth tokens are
 * refreshed through the credential's token endpoint, and a 401 is retried once after a refresh.
 */
export function createMcpGateway(deps: {
  bus: Bus;
  logger: Logger;
  vaults: VaultService;
  ledger: KV;
}): McpGateway {
  const { bus, logger, vaults } = deps;

  async function serverFor(
    sessionId: string,
    serverName: string,
    threadId?: string,
  ): Promise<{ url: string; credential: ResolvedCredential | null }> {
    const session = await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId });
    // A thread's agent names its own servers; the vaults are always the session's.
    const agent = threadId
      ? (await request(bus, THREAD_RPC.get, { session_id: sessionId, thread_id: threadId })).agent
      : session.agent;
    const server = agent.mcp_servers.find((s) => s.name === serverName);
    if (!server)
      throw new CorralError(
        "NOT_FOUND",
        `the ${threadId ? "thread's" : "session's"} agent has no MCP server ${serverName}`,
      );
    const credential =
      (await vaults.resolve(session.vault_ids)).find(
        (c) =>
          (c.record.auth.type === "static_bearer" || c.record.auth.type === "mcp_oauth") &&
          sameUrl(c.record.auth.mcp_server_url, server.url),
      ) ?? null;
    return { url: server.url, credential };
  }

  async function refresh(credential: ResolvedCredential): Promise<ResolvedCredential> {
    const auth = credential.record.auth;
    if (auth.type !== "mcp_oauth" || !auth.refresh || !credential.secrets.refresh_token)
      throw new Unauthorized("the access token was refused and there is no refresh token");
    const form = new URLSearchParams({
      grant_type: "refresh_token",
      refresh_token: credential.secrets.refresh_token,
      client_id: auth.refresh.client_id,
    });
    if (auth.refresh.scope) form.set("scope", auth.refresh.scope);
    if (auth.refresh.resource) form.set("resource", auth.refresh.resource);
    const headers: Record<string, string> = {
      "content-type": "application/x-www-form-urlencoded",
      accept: "application/json",
    };
    if (auth.refresh.token_endpoint_auth.type === "client_secret_post")
      form.set("client_secret", credential.secrets.client_secret ?? "");
    if (auth.refresh.token_endpoint_auth.type === "client_secret_basic") {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(auth.refresh.client_id)}:${encodeURIComponent(credential.secrets.client_secret ?? "")}`).toString("base64")}`;
    }
    const response = await fetch(auth.refresh.token_endpoint, { method: "POST", headers, body: form }).catch(
      (error: unknown) => {
        throw new CorralError(
          "MCP_CONNECTION_FAILED",
          `the token endpoint did not answer: ${(error as Error).message}`,
        );
      },
    );
    if (!response.ok)
      throw new Unauthorized(`the token endpoint refused the refresh (HTTP ${response.status})`);
    const parsed = TokenResponse.safeParse(await response.json().catch(() => null));
    if (!parsed.success) throw new Unauthorized("the token endpoint's answer has no access_token");
    const secrets = {
      ...credential.secrets,
      access_token: parsed.data.access_token,
      ...(parsed.data.refresh_token && { refresh_token: parsed.data.refresh_token }),
    };
    const nextAuth = {
      ...auth,
      expires_at: parsed.data.expires_in
        ? new Date(Date.now() + parsed.data.expires_in * 1000).toISOString()
        : null,
    };
    await vaults.storeSecrets(credential.record, secrets, nextAuth);
    logger.info({ credential_id: credential.record.id }, "OAuth access token refreshed");
    return { record: { ...credential.record, auth: nextAuth }, secrets };
  }

  const tokenOf = (c: ResolvedCredential | null) =>
    c ? (c.record.auth.type === "static_bearer" ? c.secrets.token : c.secrets.access_token) : undefined;

  function recordUse(
    logId: string,
    credential: ResolvedCredential | null,
    url: string,
    status: number,
  ): void {
    if (!credential) return;
    const event: SessionEventInput = {
      type: "span.credential_use",
      credential_id: credential.record.id,
      vault_id: credential.record.vault_id,
      host: new URL(url).hostname,
      method: "POST",
      status,
    };
    request(bus, STORE_RPC.eventsAppend, { session_id: logId, events: [event] }).catch((err: unknown) =>
      logger.warn({ err, session_id: logId }, "could not record an MCP credential use"),
    );
  }

  /** Connects, runs `use`, disconnects; refreshes and retries once on a 401. */
  async function withClient<T>(
    caller: McpCaller,
    serverName: string,
    use: (client: Client) => Promise<T>,
  ): Promise<T> {
    const server = await serverFor(caller.sessionId, serverName, caller.threadId);
    const logId = caller.threadId ?? caller.sessionId;
    const url = server.url;
    let credential = server.credential;
    const auth = credential?.record.auth;
    if (
      credential &&
      auth?.type === "mcp_oauth" &&
      auth.expires_at &&
      Date.parse(auth.expires_at) - Date.now() < REFRESH_MARGIN_MS
    ) {
      credential = await refresh(credential).catch((error: unknown) => {
        throw authFailed(serverName, error);
      });
    }
    for (let attempt = 1; ; attempt++) {
      const token = tokenOf(credential);
      const transport = new StreamableHTTPClientTransport(
        new URL(url),
        token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {},
      );
      const client = new Client({ name: "corral", version: "1" });
      try {
        await client.connect(transport);
        const result = await use(client);
        recordUse(logId, credential, url, 200);
        return result;
      } catch (error) {
        if (!isUnauthorized(error))
          throw new CorralError(
            "MCP_CONNECTION_FAILED",
            `MCP server ${serverName}: ${(error as Error).message}`,
            { cause: error },
          );
        recordUse(logId, credential, url, 401);
        if (attempt > 1 || !credential || credential.record.auth.type !== "mcp_oauth")
          throw authFailed(serverName, error);
        credential = await refresh(credential).catch((refreshError: unknown) => {
          throw authFailed(serverName, refreshError);
        });
      } finally {
        await client.close().catch(() => undefined);
      }
    }
  }

  return {
    listTools: (caller, serverName) =>
      withClient(caller, serverName, async (client) =>
        (await client.listTools()).tools.map((t) => ({
          name: t.name,
          description: t.description ?? "",
          input_schema: t.inputSchema as Record<string, unknown>,
        })),
      ),
    // Exactly once per tool use, across harness crashes and retries: the ledger entry is made before the
    // call, and a repeat is answered from it. A call that started but never finished is not run again.
    async callTool(caller, serverName, toolUseId, tool, input) {
      const key = `mcp.${toolUseId}`;
      if ((await createJson(deps.ledger, key, { state: "started" })) === null) {
        const entry = await getJson(deps.ledger, LedgerEntry, key);
        if (entry?.value.state === "done") return entry.value.result;
        throw new CorralError(
          "TOOL_OUTCOME_UNKNOWN",
          `MCP call ${toolUseId} was started before and its outcome is unknown; it is not run twice`,
        );
      }
      try {
        const result = await withClient(caller, serverName, async (client) => {
          const answer = await client.callTool({ name: tool, arguments: input });
          const content = Array.isArray(answer.content)
            ? (answer.content as { type: string; text?: string }[])
            : [];
          return {
            content: content.map((c) => (c.type === "text" ? (c.text ?? "") : `[${c.type}]`)).join("\n"),
            is_error: answer.isError === true,
          };
        });
        await putJson(deps.ledger, key, { state: "done", result });
        return result;
      } catch (error) {
        // Refused before it ran (no connection, no valid credential): a retry may try again.
        if (
          error instanceof CorralError &&
          (error.code === "MCP_AUTHENTICATION_FAILED" || error.code === "MCP_CONNECTION_FAILED")
        )
          await deps.ledger.purge(key);
        throw error;
      }
    },
  };
}

function isUnauthorized(error: unknown): boolean {
  return (
    error instanceof Unauthorized ||
    (error instanceof StreamableHTTPError && error.code === 401) ||
    /\b401\b/.test(String((error as Error)?.message))
  );
}

function authFailed(serverName: string, error: unknown): CorralError {
  return new CorralError(
    "MCP_AUTHENTICATION_FAILED",
    `MCP server ${serverName} refused the credential: ${(error as Error).message}`,
    { cause: error },
  );
}

function sameUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, "");
  return norm(a) === norm(b);
}
