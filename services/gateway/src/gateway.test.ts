import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startTestStack, type TestStack } from "./testing.js";
import { apiClient, expectError, type ApiCall } from "./test-api.js";

let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack.close());

const call = apiClient(() => stack.gw);

let envCounter = 0;
const newEnvironment = async () =>
  (await call("POST", "/v1/environments", { name: `env-${Date.now()}-${envCounter++}` })).body;
const newAgent = async (name = "helper") =>
  (await call("POST", "/v1/agents", { name, model: "claude-test", system: "be brief" })).body;

describe("agents", () => {
  test("create, retrieve, update into versions, list with a cursor, archive", async () => {
    const agent = await newAgent("versioned");
    expect(agent).toMatchObject({
      type: "agent",
      name: "versioned",
      version: 1,
      id: expect.stringMatching(/^agent_/),
    });
    const updated = await call("POST", `/v1/agents/${agent.id}`, { system: "be thorough", version: 1 });
    expect(updated.body).toMatchObject({ version: 2, system: "be thorough" });
    expectError(
      await call("POST", `/v1/agents/${agent.id}`, { system: "stale", version: 1 }),
      409,
      "invalid_request_error",
    );
    expect((await call("GET", `/v1/agents/${agent.id}?version=1`)).body.system).toBe("be brief");
    expect((await call("GET", `/v1/agents/${agent.id}`)).body.version).toBe(2);

    const first = await call("GET", `/v1/agents/${agent.id}/versions?limit=1`);
    expect(first.body.data).toHaveLength(1);
    const second = await call("GET", `/v1/agents/${agent.id}/versions?limit=1&page=${first.body.next_page}`);
    expect([first.body.data[0].version, second.body.data[0].version].sort()).toEqual([1, 2]);

    const archived = await call("POST", `/v1/agents/${agent.id}/archive`);
    expect(archived.body.archived_at).toEqual(expect.any(String));
    const listed = await call("GET", "/v1/agents?limit=1000");
    expect(listed.body.data.map((a: { id: string }) => a.id)).not.toContain(agent.id);
    expect(
      (await call("GET", "/v1/agents?limit=1000&include_archived=true")).body.data.map(
        (a: { id: string }) => a.id,
      ),
    ).toContain(agent.id);
  });

  test("bad input gets invalid_request_error naming the problem, and stores nothing", async () => {
    const before = (await call("GET", "/v1/agents?limit=1000&include_archived=true")).body.data.length;
    const missing = await call("POST", "/v1/agents", { model: "claude-test" });
    expectError(missing, 400, "invalid_request_error");
    expect(missing.body.error.message).toContain("name");
    expectError(await call("POST", "/v1/agents", "{not json"), 400, "invalid_request_error");
    expectError(
      await call("POST", "/v1/agents", { name: "x", model: "m", tools: [{ type: "nonsense" }] }),
      400,
      "invalid_request_error",
    );
    expectError(await call("GET", "/v1/agents?limit=0"), 400, "invalid_request_error");
    expectError(await call("GET", "/v1/agents?colour=blue"), 400, "invalid_request_error");
    expectError(await call("GET", "/v1/agents?page=garbage"), 400, "invalid_request_error");
    expectError(await call("GET", "/v1/agents/not-an-id"), 400, "invalid_request_error");
    expectError(
      await call("POST", "/v1/agents", { name: "big", model: "m", system: "x".repeat(2_000_000) }),
      413,
      "request_too_large",
    );
    expect((await call("GET", "/v1/agents?limit=1000&include_archived=true")).body.data.length).toBe(before);
  });

  test("a field the API does not serve is refused by name, never dropped in silence; nothing is stored", async () => {
    const before = (await call("GET", "/v1/agents?limit=1000&include_archived=true")).body.data.length;
    const top = await call("POST", "/v1/agents", { name: "x", model: "m", execution_identity: { a: 1 } });
    expectError(top, 400, "invalid_request_error");
    expect(top.body.error.message).toContain('"execution_identity"');
    const nested = await call("POST", "/v1/agents", {
      name: "x",
      model: "m",
      tools: [{ type: "agent_toolset_20260401", colour: "blue" }],
    });
    expectError(nested, 400, "invalid_request_error");
    expect(nested.body.error.message).toContain('"tools.0.colour"');
    expect((await call("GET", "/v1/agents?limit=1000&include_archived=true")).body.data.length).toBe(before);
    // Open maps (metadata) keep every key.
    const agent = await call("POST", "/v1/agents", { name: "y", model: "m", metadata: { anything: "goes" } });
    expect(agent.body.metadata).toEqual({ anything: "goes" });
  });

  test("unknown ids and routes are 404 not_found_error", async () => {
    expectError(await call("GET", "/v1/agents/agent_01JZZZZZZZZZZZZZZZZZZZZZZZ"), 404, "not_found_error");
    expectError(await call("GET", "/v1/nothing-here"), 404, "not_found_error");
  });
});

describe("environments", () => {
  test("create, duplicate name is 409, update, list, archive, delete", async () => {
    const env = await newEnvironment();
    expect(env).toMatchObject({ type: "environment", id: expect.stringMatching(/^env_/) });
    expectError(await call("POST", "/v1/environments", { name: env.name }), 409, "invalid_request_error");
    const updated = await call("POST", `/v1/environments/${env.id}`, { description: "for tests" });
    expect(updated.body.description).toBe("for tests");
    expect((await call("GET", `/v1/environments/${env.id}`)).body.description).toBe("for tests");
    expect(
      (await call("GET", "/v1/environments?limit=1000")).body.data.map((e: { id: string }) => e.id),
    ).toContain(env.id);
    expect((await call("POST", `/v1/environments/${env.id}/archive`)).body.archived_at).toEqual(
      expect.any(String),
    );
    expect((await call("DELETE", `/v1/environments/${env.id}`)).body).toMatchObject({ id: env.id });
    expectError(await call("GET", `/v1/environments/${env.id}`), 404, "not_found_error");
  });
});

describe("sessions and events", () => {
  test("create, retrieve, update, list by status, archive, delete", async () => {
    const [agent, env] = [await newAgent(), await newEnvironment()];
    const created = await call("POST", "/v1/sessions", {
      agent: agent.id,
      environment_id: env.id,
      title: "first",
    });
    expect(created.body).toMatchObject({
      type: "session",
      status: "idle",
      title: "first",
      agent: { id: agent.id, version: 1 },
    });
    const sid = created.body.id;
    expect(
      (await call("POST", `/v1/sessions/${sid}`, { title: "renamed", metadata: { team: "infra" } })).body,
    ).toMatchObject({ title: "renamed", metadata: { team: "infra" } });
    const idle = await call("GET", "/v1/sessions?statuses[]=idle&limit=1000");
    expect(idle.body.data.map((s: { id: string }) => s.id)).toContain(sid);
    expect(idle.body).toHaveProperty("prev_page", null);
    expect(
      (await call("GET", "/v1/sessions?statuses[]=terminated&limit=1000")).body.data.map(
        (s: { id: string }) => s.id,
      ),
    ).not.toContain(sid);
    expectError(await call("GET", "/v1/sessions?statuses[]=sleeping"), 400, "invalid_request_error");
    expectError(
      await call("POST", "/v1/sessions", {
        agent: agent.id,
        environment_id: "env_01JZZZZZZZZZZZZZZZZZZZZZZZ",
      }),
      404,
      "not_found_error",
    );

    const archived = await call("POST", `/v1/sessions/${sid}/archive`);
    expect(archived.body.archived_at).toEqual(expect.any(String));
    expectError(
      await call("POST", `/v1/sessions/${sid}/events`, {
        events: [{ type: "user.message", content: [{ type: "text", text: "hi" }] }],
      }),
      400,
      "invalid_request_error",
    );
    expect((await call("DELETE", `/v1/sessions/${sid}`)).body).toEqual({ id: sid, type: "session_deleted" });
    expectError(await call("GET", `/v1/sessions/${sid}`), 404, "not_found_error");
  });

  test("events: send, list with pagination, types and order, idempotent retries", async () => {
    const [agent, env] = [await newAgent(), await newEnvironment()];
    const sid = (await call("POST", "/v1/sessions", { agent: agent.id, environment_id: env.id })).body.id;
    const say = (text: string) => ({ type: "user.message", content: [{ type: "text", text }] });
    const sent = await call("POST", `/v1/sessions/${sid}/events`, { events: [say("one"), say("two")] });
    expect(sent.status).toBe(200);
    expect(sent.body.data.map((e: { type: string; id: string }) => [e.type, e.id.slice(0, 5)])).toEqual([
      ["user.message", "sevt_"],
      ["user.message", "sevt_"],
    ]);
    const retry = { "idempotency-key": "send-three" };
    const third = await call("POST", `/v1/sessions/${sid}/events`, { events: [say("three")] }, retry);
    const again = await call("POST", `/v1/sessions/${sid}/events`, { events: [say("three")] }, retry);
    expect(again.body.data[0].id).toBe(third.body.data[0].id);
    await call("POST", `/v1/sessions/${sid}/events`, { events: [{ type: "user.interrupt" }] });

    const texts: string[] = [];
    let page: string | null = null;
    let pages = 0;
    do {
      const r: ApiCall = await call(
        "GET",
        `/v1/sessions/${sid}/events?types[]=user.message&limit=1${page ? `&page=${page}` : ""}`,
      );
      texts.push(...r.body.data.map((e: { content: { text: string }[] }) => e.content[0]!.text));
      page = r.body.next_page;
      pages++;
    } while (page);
    expect(texts).toEqual(["one", "two", "three"]);
    expect(pages).toBeGreaterThanOrEqual(3);

    const desc = await call("GET", `/v1/sessions/${sid}/events?order=desc&limit=2`);
    expect(desc.body.data.map((e: { type: string }) => e.type)).toEqual(["user.interrupt", "user.message"]);
    const next = await call(
      "GET",
      `/v1/sessions/${sid}/events?order=desc&limit=2&page=${desc.body.next_page}`,
    );
    expect(next.body.data[0].content[0].text).toBe("two");
    expectError(
      await call("GET", `/v1/sessions/${sid}/events?order=asc&page=${desc.body.next_page}`),
      400,
      "invalid_request_error",
    );

    // Bad events are refused whole: nothing of the batch is stored.
    const before = (await call("GET", `/v1/sessions/${sid}/events?limit=1000`)).body.data.length;
    expectError(
      await call("POST", `/v1/sessions/${sid}/events`, {
        events: [say("ok"), { type: "agent.message", content: [] }],
      }),
      400,
      "invalid_request_error",
    );
    expectError(
      await call("POST", `/v1/sessions/${sid}/events`, { events: [] }),
      400,
      "invalid_request_error",
    );
    expect((await call("GET", `/v1/sessions/${sid}/events?limit=1000`)).body.data.length).toBe(before);
    expectError(
      await call("GET", `/v1/sessions/sesn_01JZZZZZZZZZZZZZZZZZZZZZZZ/events`),
      404,
      "not_found_error",
    );
  });
});
