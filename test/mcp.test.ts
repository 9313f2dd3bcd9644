import { afterAll, beforeAll, expect, test } from "vitest";
import { createServer, type Server, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { request, type Bus } from "@corral/bus";
import { MCP_RPC, STORE_RPC, type SessionEvent, type VaultId } from "@corral/protocol";
import { lastUserText, systemText, toolResultsIn, type ScriptedModel } from "@corral/testing";
import {
  eventsUntil,
  isIdle,
  newSession,
  say,
  send,
  startBrainStack,
  type BrainStack,
} from "@corral/harness/testing";
import { makeVaultCredential, parseAllowList, startCredentialProxy } from "@corral/credential-proxy/testing";

// A real MCP server (the official SDK, Streamable HTTP) that wants an OAuth bearer token, and its token
// endpoint; the harness reaches it only through the credential-proxy, which holds the credential.
let stack: BrainStack;
let model: ScriptedModel;
let bus: Bus;
let proxy: Awaited<ReturnType<typeof startCredentialProxy>>;
let server: Server;
let base: string;
const validTokens = new Set<string>();
const refreshTokens = new Map<string, boolean>(); // refresh token → still valid
const calls: { tool: string; q: string; token: string }[] = [];
let refreshes = 0;
const CLIENT_SECRET = "client-secret-for-tests";

async function body(req: IncomingMessage): Promise<string> {
  let text = "";
  for await (const chunk of req) text += String(chunk);
  return text;
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void (async () => {
      if (req.url === "/token") {
        const form = new URLSearchParams(await body(req));
        const refresh = form.get("refresh_token") ?? "";
        if (
          form.get("grant_type") !== "refresh_token" ||
          form.get("client_secret") !== CLIENT_SECRET ||
          !refreshTokens.get(refresh)
        ) {
          return void res
            .writeHead(400, { "content-type": "application/json" })
            .end(JSON.stringify({ error: "invalid_grant" }));
        }
        refreshes++;
        const access = `at-${randomBytes(8).toString("hex")}`;
        validTokens.add(access);
        return void res
          .writeHead(200, { "content-type": "application/json" })
          .end(JSON.stringify({ access_token: access, token_type: "Bearer", expires_in: 3600 }));
      }
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      if (!validTokens.has(token)) return void res.writeHead(401, { "www-authenticate": "Bearer" }).end();
      const mcp = new McpServer({ name: "docs", version: "1.0.0" });
      mcp.registerTool(
        "lookup",
        { description: "Looks a topic up in the docs", inputSchema: { q: z.string() } },
        ({ q }) => {
          calls.push({ tool: "lookup", q, token });
          return { content: [{ type: "text", text: `docs say: ${q} is well documented` }] };
        },
      );
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      await mcp.connect(transport);
      const text = await body(req);
      await transport.handleRequest(req, res, text ? JSON.parse(text) : undefined);
    })().catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stack = await startBrainStack();
  ({ model, bus } = stack);
  // The MCP server is on loopback, which the proxy calls only when the operator names it (and the port
  // of the "server that is down", so that test still meets a closed port rather than the address rule).
  const port = (server.address() as AddressInfo).port;
  proxy = await startCredentialProxy(stack.nats.url, {
    egressAllowAddresses: parseAllowList(`127.0.0.1:${port},127.0.0.1:9`),
  });
});

afterAll(async () => {
  await proxy.close();
  await stack.close();
  server.close();
});

const docsAgent = () => ({
  mcp_servers: [{ type: "url" as const, name: "docs", url: `${base}/mcp` }],
  tools: [{ type: "mcp_toolset" as const, mcp_server_name: "docs" }],
});

async function oauthVault(
  accessToken: string,
  refreshToken: string,
): Promise<{ vaultId: VaultId; credentialId: string }> {
  const { vault, credential } = await makeVaultCredential(bus, "mcp", {
    type: "mcp_oauth",
    mcp_server_url: `${base}/mcp`,
    access_token: accessToken,
    expires_at: new Date(Date.now() - 60_000).toISOString(),
    refresh: {
      refresh_token: refreshToken,
      client_id: "corral",
      token_endpoint: `${base}/token`,
      token_endpoint_auth: { type: "client_secret_post", client_secret: CLIENT_SECRET },
    },
  });
  return { vaultId: vault.id, credentialId: credential.id };
}

test("an agent calls an OAuth-protected MCP server through the proxy; the expired token is refreshed; the call runs once", async () => {
  const refresh = `rt-${randomBytes(8).toString("hex")}`;
  refreshTokens.set(refresh, true);
  const { vaultId, credentialId } = await oauthVault("expired-access-token", refresh);
  const sid = await newSession(bus, docsAgent(), { vault_ids: [vaultId] });
  model.script(
    (req) => {
      expect(req.body.tools?.map((t) => t.name)).toContain("mcp__docs__lookup");
      return {
        type: "message",
        content: [{ type: "tool_use", name: "mcp__docs__lookup", input: { q: "leases" } }],
      };
    },
    (req) => ({ type: "message", content: [{ type: "text", text: `Found: ${lastUserText(req)}` }] }),
  );
  await send(bus, sid, say("what do the docs say about leases?"));
  const events = await eventsUntil(bus, sid, isIdle);
  const use = events.find((e) => e.type === "agent.mcp_tool_use");
  expect(use).toMatchObject({ mcp_server_name: "docs", name: "lookup", input: { q: "leases" } });
  expect(events.find((e) => e.type === "agent.mcp_tool_result")).toMatchObject({
    mcp_tool_use_id: use!.id,
    is_error: false,
  });
  expect(JSON.stringify(events.filter((e) => e.type === "agent.message").at(-1))).toContain(
    "leases is well documented",
  );
  expect(refreshes).toBeGreaterThanOrEqual(1);
  expect(calls.filter((c) => c.q === "leases")).toHaveLength(1);
  expect(calls[0]!.token).not.toBe("expired-access-token");
  // Each use of the credential is recorded (asynchronously, so it may land after the idle).
  expect(await credentialUses(sid, credentialId)).toBeGreaterThan(0);
  const log = JSON.stringify(events);
  expect(log).not.toContain(refresh);
  expect(log).not.toContain(calls[0]!.token);

  // The same tool use, asked again (as a harness that crashed after the call would), is not run twice.
  const again = await request(bus, MCP_RPC.callTool, {
    session_id: sid,
    mcp_server_name: "docs",
    tool_use_id: use!.id,
    tool: "lookup",
    input: { q: "leases" },
  });
  expect(again.content).toContain("leases is well documented");
  expect(calls.filter((c) => c.q === "leases")).toHaveLength(1);
});

test("a sub-agent thread calls its own agent's MCP server with a credential from the session's vaults", async () => {
  const refresh = `rt-${randomBytes(8).toString("hex")}`;
  refreshTokens.set(refresh, true);
  const { vaultId, credentialId } = await oauthVault("expired-access-token", refresh);
  const researcher = await request(bus, STORE_RPC.agentsCreate, {
    name: "researcher",
    model: "claude-test",
    system: "researcher",
    ...docsAgent(),
  });
  const sid = await newSession(
    bus,
    { system: "lead", multiagent: { type: "coordinator", agents: [researcher.id] } },
    { vault_ids: [vaultId] },
  );
  model.setFallback((req) => {
    const results = toolResultsIn(req).length;
    if (systemText(req).includes("researcher")) {
      return results === 0
        ? {
            type: "message",
            content: [{ type: "tool_use", name: "mcp__docs__lookup", input: { q: "threads" } }],
          }
        : { type: "message", content: [{ type: "text", text: lastUserText(req) }] };
    }
    if (results === 0)
      return {
        type: "message",
        content: [
          {
            type: "tool_use",
            name: "start_thread",
            input: { agent: "researcher", task: "look up threads", sandbox: "fresh" },
          },
        ],
      };
    return { type: "message", content: [{ type: "text", text: `lead heard: ${lastUserText(req)}` }] };
  });
  try {
    await send(bus, sid, say("ask the researcher"));
    const events = await eventsUntil(bus, sid, (e) => e.type === "session.status_idle", 0, 30_000);
    expect(JSON.stringify(events.filter((e) => e.type === "agent.message").at(-1))).toContain(
      "threads is well documented",
    );
    const thread = events.find((e) => e.type === "session.thread_created");
    const threadId = thread?.type === "session.thread_created" ? thread.session_thread_id : "";
    expect(calls.filter((c) => c.q === "threads")).toHaveLength(1);
    // The credential's use is recorded in the thread's own log, never its value.
    expect(await credentialUses(threadId, credentialId)).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(refresh);
  } finally {
    model.setFallback(null);
  }
});

async function credentialUses(sid: string, credentialId: string): Promise<number> {
  const until = await eventsUntil(
    bus,
    sid,
    (e) => e.type === "span.credential_use" && e.credential_id === credentialId,
    0,
    10_000,
  ).catch(() => [] as SessionEvent[]);
  return until.filter((e) => e.type === "span.credential_use").length;
}

test("a revoked credential gives mcp_authentication_failed_error, and the turn goes on without the server", async () => {
  const refresh = `rt-${randomBytes(8).toString("hex")}`;
  refreshTokens.set(refresh, false); // revoked
  const { vaultId } = await oauthVault("revoked-access-token", refresh);
  const sid = await newSession(bus, docsAgent(), { vault_ids: [vaultId] });
  model.script((req) => ({
    type: "message",
    content: [{ type: "text", text: `tools offered: ${(req.body.tools ?? []).length}` }],
  }));
  await send(bus, sid, say("look it up"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(events.find((e) => e.type === "session.error")).toMatchObject({
    error: { type: "mcp_authentication_failed_error", mcp_server_name: "docs" },
  });
  expect(events.at(-1)).toMatchObject({ type: "session.status_idle", stop_reason: { type: "end_turn" } });
  expect(JSON.stringify(events)).toContain("tools offered: 0");
});

test("an MCP server that is down gives mcp_connection_failed_error; bad MCP requests get clear errors", async () => {
  const sid = await newSession(bus, {
    mcp_servers: [{ type: "url", name: "gone", url: "http://127.0.0.1:9/mcp" }],
    tools: [{ type: "mcp_toolset", mcp_server_name: "gone" }],
  });
  model.script({ type: "message", content: [{ type: "text", text: "carrying on" }] });
  await send(bus, sid, say("hello"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(events.find((e) => e.type === "session.error")).toMatchObject({
    error: { type: "mcp_connection_failed_error", mcp_server_name: "gone" },
  });
  await expect(
    request(bus, MCP_RPC.listTools, { session_id: sid, mcp_server_name: "nope" }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  await expect(
    request(bus, MCP_RPC.callTool, {
      session_id: sid,
      mcp_server_name: "gone",
      tool_use_id: "not-an-id",
      tool: "x",
      input: {},
    } as never),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
});
