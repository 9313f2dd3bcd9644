import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiKey, listApiKeys, openKeyBucket, revokeApiKey } from "@corral/gateway";
import { startGateway, startTestStack, type GatewayUnderTest, type TestStack } from "@corral/gateway/testing";
import { startCredentialProxy } from "@corral/credential-proxy/testing";
import { startStore } from "@corral/session-store/testing";
import { publishRaw, request } from "@corral/bus";
import { STORE_RPC, SUBJECTS, THREAD_RPC } from "@corral/protocol";
import { waitFor } from "@corral/testing";

/**
 * Workspaces: keys of two workspaces see nothing of each other's (not even whether it exists: 404, never
 * 403), a read-only key cannot write, and the bootstrap CORRAL_API_KEY can be revoked like any key.
 */
let stack: TestStack;
let proxy: Awaited<ReturnType<typeof startCredentialProxy>>;
let keyA: string;
let keyB: string;
let readOnlyB: string;

beforeAll(async () => {
  stack = await startTestStack();
  proxy = await startCredentialProxy(stack.nats.url);
  const kv = await openKeyBucket(stack.bus);
  keyA = (await createApiKey(kv, "tenant a", { workspace: "ws-a" })).key;
  keyB = (await createApiKey(kv, "tenant b", { workspace: "ws-b" })).key;
  readOnlyB = (await createApiKey(kv, "reader b", { workspace: "ws-b", scope: "read_only" })).key;
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await stack?.close();
});

async function call(gw: GatewayUnderTest, key: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gw.url}${path}`, {
    method,
    headers: { "x-api-key": key, ...(body !== undefined && { "content-type": "application/json" }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const as = (key: string) => (method: string, path: string, body?: unknown) =>
  call(stack.gw, key, method, path, body);

let n = 0;
async function makeRecords(key: string) {
  const api = as(key);
  const agent = (await api("POST", "/v1/agents", { name: `agent-${n}`, model: "claude-test" })).body;
  const env = (await api("POST", "/v1/environments", { name: `env-${n++}` })).body;
  const vault = (await api("POST", "/v1/vaults", { display_name: "mine" })).body;
  const session = await api("POST", "/v1/sessions", {
    agent: agent.id,
    environment_id: env.id,
    vault_ids: [vault.id],
  });
  expect(session.status).toBe(200);
  return { agent, env, vault, session: session.body };
}

const notFound = (r: { status: number; body: { error?: { type: string } } }) => {
  expect(r.status).toBe(404);
  expect(r.body.error?.type).toBe("not_found_error");
};

describe("workspaces", () => {
  test("a key of workspace B cannot read, list, change, delete or use A's records", async () => {
    const a = await makeRecords(keyA);
    const b = await makeRecords(keyB);
    const B = as(keyB);
    for (const path of [
      `/v1/agents/${a.agent.id}`,
      `/v1/environments/${a.env.id}`,
      `/v1/sessions/${a.session.id}`,
      `/v1/vaults/${a.vault.id}`,
      `/v1/sessions/${a.session.id}/events`,
      `/v1/agents/${a.agent.id}/versions`,
      `/v1/vaults/${a.vault.id}/credentials`,
    ])
      notFound(await B("GET", path));
    for (const [list, id] of [
      ["/v1/agents", a.agent.id],
      ["/v1/environments", a.env.id],
      ["/v1/sessions", a.session.id],
      ["/v1/vaults", a.vault.id],
    ]) {
      const ids = (await B("GET", `${list}?limit=1000`)).body.data.map((r: { id: string }) => r.id);
      expect(ids).not.toContain(id);
      expect(ids.length).toBeGreaterThan(0);
    }
    const say = { type: "user.message", content: [{ type: "text", text: "hi" }] };
    notFound(await B("POST", `/v1/sessions/${a.session.id}/events`, { events: [say] }));
    notFound(await B("POST", `/v1/agents/${a.agent.id}`, { version: 1, name: "taken" }));
    notFound(await B("POST", `/v1/sessions/${a.session.id}/archive`));
    notFound(await B("DELETE", `/v1/sessions/${a.session.id}`));
    notFound(await B("DELETE", `/v1/environments/${a.env.id}`));
    notFound(await B("DELETE", `/v1/vaults/${a.vault.id}`));
    // A session of B may use only B's agents, environments and vaults.
    const session = (agent: string, environment_id: string, vault: string) =>
      B("POST", "/v1/sessions", { agent, environment_id, vault_ids: [vault] });
    notFound(await session(a.agent.id, b.env.id, b.vault.id));
    notFound(await session(b.agent.id, a.env.id, b.vault.id));
    notFound(await session(b.agent.id, b.env.id, a.vault.id));
    // A's records are all still there, unchanged, for A.
    const A = as(keyA);
    expect((await A("GET", `/v1/agents/${a.agent.id}`)).body.name).toBe(a.agent.name);
    expect((await A("GET", `/v1/sessions/${a.session.id}`)).body.archived_at).toBeNull();
    expect((await A("GET", `/v1/environments/${a.env.id}`)).status).toBe(200);
    expect((await A("GET", `/v1/vaults/${a.vault.id}`)).status).toBe(200);
    expect((await A("GET", `/v1/sessions/${a.session.id}`)).body.workspace_id).toBe("ws-a");
  });

  test("a session's stream and threads are not found for another workspace", async () => {
    const a = await makeRecords(keyA);
    const res = await fetch(`${stack.gw.url}/v1/sessions/${a.session.id}/events/stream`, {
      headers: { "x-api-key": keyB },
    });
    expect(res.status).toBe(404);
    await res.text();
    notFound(await as(keyB)("GET", `/v1/sessions/${a.session.id}/threads`));
  });

  test("a thread's events are its session's workspace's alone", async () => {
    const A = as(keyA);
    const agent = (
      await A("POST", "/v1/agents", {
        name: "coordinator",
        model: "claude-test",
        multiagent: { type: "coordinator", agents: [{ type: "self" }] },
      })
    ).body;
    const env = (await A("POST", "/v1/environments", { name: `threads-${n++}` })).body;
    const session = (await A("POST", "/v1/sessions", { agent: agent.id, environment_id: env.id })).body;
    const say = { type: "user.message", content: [{ type: "text", text: "task" }] };
    const { thread } = await request(stack.bus, THREAD_RPC.create, {
      session_id: session.id,
      agent: "self",
      initial_events: [say],
      idempotency_key: `thread-${session.id}`,
    } as never);
    const path = `/v1/sessions/${session.id}/threads/${thread.id}`;
    const own = await A("GET", `${path}/events`);
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect((await A("GET", path)).status).toBe(200);
    notFound(await as(keyB)("GET", `${path}/events`));
    notFound(await as(keyB)("GET", path));
  });

  test("a coordinator's roster cannot start another workspace's agent", async () => {
    const a = await makeRecords(keyA);
    const B = as(keyB);
    const coordinator = (
      await B("POST", "/v1/agents", {
        name: "borrower",
        model: "claude-test",
        multiagent: { type: "coordinator", agents: [{ type: "agent", id: a.agent.id }] },
      })
    ).body;
    const env = (await B("POST", "/v1/environments", { name: `borrow-${n++}` })).body;
    const session = (await B("POST", "/v1/sessions", { agent: coordinator.id, environment_id: env.id })).body;
    const say = { type: "user.message", content: [{ type: "text", text: "task" }] };
    // The harness starts threads as an internal caller: the roster is still read in the session's workspace.
    await expect(
      request(stack.bus, THREAD_RPC.create, {
        session_id: session.id,
        agent: a.agent.id,
        initial_events: [say],
        idempotency_key: `borrow-${session.id}`,
      } as never),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("a task acts for its workspace: it may not name another workspace's agent", async () => {
    const a = await makeRecords(keyA);
    const intake = await startStore(stack.nats.url, { taskIntake: true });
    try {
      const task = (task_id: string, workspace_id: string) =>
        publishRaw(
          stack.bus,
          SUBJECTS.tasksSubmit,
          JSON.stringify({
            task_id,
            workspace_id,
            agent: a.agent.id,
            environment_id: a.env.id,
            message: "hi",
          }),
        );
      const settled = (task_id: string) =>
        waitFor(() =>
          request(stack.bus, STORE_RPC.tasksGet, { task_id })
            .then((t) => (t.state !== "accepted" ? t : null))
            .catch(() => null),
        );
      await task(`b-${a.agent.id}`, "ws-b");
      expect(await settled(`b-${a.agent.id}`)).toMatchObject({
        state: "rejected",
        error: { code: "NOT_FOUND" },
      });
      await task(`a-${a.agent.id}`, "ws-a");
      const made = await settled(`a-${a.agent.id}`);
      expect(made).toMatchObject({ state: "created" });
      expect((await as(keyA)("GET", `/v1/sessions/${made.session_id}`)).body.workspace_id).toBe("ws-a");
      notFound(await as(keyB)("GET", `/v1/sessions/${made.session_id}`));
    } finally {
      await intake.close();
    }
  });

  test("environment names are unique within a workspace only", async () => {
    const name = `shared-name-${Date.now()}`;
    expect((await as(keyA)("POST", "/v1/environments", { name })).status).toBe(200);
    expect((await as(keyB)("POST", "/v1/environments", { name })).status).toBe(200);
  });

  test("a read-only key reads and cannot write", async () => {
    const R = as(readOnlyB);
    expect((await R("GET", "/v1/agents")).status).toBe(200);
    const denied = await R("POST", "/v1/agents", { name: "nope", model: "claude-test" });
    expect(denied.status).toBe(403);
    expect(denied.body.error.type).toBe("permission_error");
    const names = (await as(keyB)("GET", "/v1/agents?limit=1000")).body.data.map(
      (x: { name: string }) => x.name,
    );
    expect(names).not.toContain("nope");
  });

  test("the bootstrap CORRAL_API_KEY is stored as a key and can be revoked", async () => {
    const bootstrap = `sk-corral-bootstrap-${Date.now()}`;
    const gw = await startGateway(stack.nats.url, { apiKeys: [bootstrap] });
    try {
      expect((await call(gw, bootstrap, "GET", "/v1/agents")).status).toBe(200);
      const kv = await openKeyBucket(stack.bus);
      const stored = (await listApiKeys(kv)).find(
        (k) => k.name === "CORRAL_API_KEY" && bootstrap.startsWith(k.hint),
      );
      expect(stored?.workspace_id).toBe("default");
      await revokeApiKey(kv, stored!.id);
      await expect.poll(async () => (await call(gw, bootstrap, "GET", "/v1/agents")).status).toBe(401);
    } finally {
      await gw.close();
    }
    // The revoked record wins over the environment on the next start too.
    const again = await startGateway(stack.nats.url, { apiKeys: [bootstrap] });
    try {
      expect((await call(again, bootstrap, "GET", "/v1/agents")).status).toBe(401);
    } finally {
      await again.close();
    }
  });
});
