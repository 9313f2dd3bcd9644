import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { requestRaw } from "@corral/bus";
import { startTestStack, type TestStack } from "@corral/gateway/testing";
import { apiClient } from "@corral/gateway/test-api";

/** Deeply nested JSON is a 400 with a clear message at the gateway and a typed error on the bus; nothing stored. */
let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()), 120_000);
afterAll(() => stack?.close());

const call = apiClient(() => stack.gw);
const nested = (depth: number) => `${"[".repeat(depth)}1${"]".repeat(depth)}`;

describe("deeply nested JSON", () => {
  test("a body nested 100,000 deep is 400 invalid_request_error and stores nothing", async () => {
    const before = (await call("GET", "/v1/agents?limit=1000")).body.data.length;
    const body = `{"name":"deep","model":"m","metadata":{"k":${nested(100_000)}}}`;
    const r = await call("POST", "/v1/agents", body);
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe("invalid_request_error");
    expect(r.body.error.message).toMatch(/nests deeper than 64/);
    expect((await call("GET", "/v1/agents?limit=1000")).body.data.length).toBe(before);
    // Ordinary nesting still passes.
    expect(
      (await call("POST", "/v1/agents", { name: "shallow", model: "m", metadata: { k: "v" } })).status,
    ).toBe(200);
  });

  test("a deeply nested event sent over the bus gets a typed error, and the store still answers", async () => {
    const agent = (await call("POST", "/v1/agents", { name: "a", model: "m" })).body;
    const env = (await call("POST", "/v1/environments", { name: `deep-${Date.now()}` })).body;
    const session = (await call("POST", "/v1/sessions", { agent: agent.id, environment_id: env.id })).body;
    const payload = `{"session_id":"${session.id}","events":[{"type":"user.message","content":[{"type":"text","text":"x","extra":${nested(50_000)}}]}]}`;
    const reply = (await requestRaw(stack.bus, STORE_RPC.eventsSend.subject, payload)) as {
      ok: boolean;
      error?: { code: string; message: string };
    };
    expect(reply.ok).toBe(false);
    expect(reply.error?.code).toBe("INVALID_REQUEST");
    const events = await call("GET", `/v1/sessions/${session.id}/events`);
    expect(events.status).toBe(200);
    expect(events.body.data).toEqual([]);
  });
});
