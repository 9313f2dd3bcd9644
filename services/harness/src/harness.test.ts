import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { request, subscribeDeltas, type Bus } from "@corral/bus";
import { waitFor, type ScriptedModel } from "@corral/testing";
import { eventsUntil, isIdle, newSession, say, send, startBrainStack, type BrainStack } from "./testing.js";

let stack: BrainStack;
let model: ScriptedModel;
let bus: Bus;

beforeAll(async () => {
  stack = await startBrainStack();
  ({ model, bus } = stack);
});

afterAll(() => stack.close());

beforeEach(() => model.setFallback(null));

const types = (events: { type: string }[]) => events.map((e) => e.type);

test("a message gets an answer, with events in the documented order and the real SDK on the wire", async () => {
  const sid = await newSession(bus);
  model.script({
    type: "message",
    content: [{ type: "text", text: "Hello there, how can I help?" }],
    usage: { input_tokens: 12, output_tokens: 7 },
  });
  const before = model.requests.length;
  await send(bus, sid, say("hi"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(types(events)).toEqual([
    "user.message",
    "session.status_running",
    "span.model_request_start",
    "agent.message",
    "span.model_request_end",
    "session.usage",
    "session.status_idle",
  ]);
  expect(events[6]).toMatchObject({ stop_reason: { type: "end_turn" } });
  expect(events[5]).toMatchObject({ usage: { input_tokens: 12, output_tokens: 7 } });
  const sent = model.requests[before]!;
  expect(sent.headers.authorization).toBe("Bearer test-key");
  expect(sent.body).toMatchObject({
    model: "claude-test",
    stream: true,
    messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
  });
  // The record is folded from the log by the session-store's projector, a moment after the append.
  const record = await waitFor(async () => {
    const r = await request(bus, STORE_RPC.sessionsGet, { session_id: sid });
    return r.status === "idle" && r;
  });
  expect(record).toMatchObject({ usage: { input_tokens: 12, output_tokens: 7 } });
});

test("token deltas stream on the delta subject with the id of the final agent.message", async () => {
  const sid = await newSession(bus);
  const deltas: Array<{
    type: string;
    event_id?: string;
    event?: { id: string };
    delta?: { content: { text: string } };
  }> = [];
  const unsubscribe = subscribeDeltas(bus, sid, (frame) => void deltas.push(frame));
  model.script({
    type: "message",
    content: [{ type: "text", text: "a fairly long answer that streams in pieces" }],
  });
  await send(bus, sid, say("stream please"));
  const events = await eventsUntil(bus, sid, isIdle);
  unsubscribe();
  const message = events.find((e) => e.type === "agent.message")!;
  expect(deltas[0]).toMatchObject({ type: "event_start", event: { id: message.id } });
  expect(
    deltas
      .slice(1)
      .map((d) => d.delta?.content.text)
      .join(""),
  ).toBe("a fairly long answer that streams in pieces");
});

test("messages sent while running are answered in order", async () => {
  const sid = await newSession(bus);
  model.script(
    { type: "message", content: [{ type: "text", text: "first answer" }], latencyMs: 300 },
    (req) => ({
      type: "message",
      content: [{ type: "text", text: `saw ${req.body.messages.length} messages` }],
    }),
  );
  await send(bus, sid, say("one"));
  await waitFor(() => model.requests.some((r) => JSON.stringify(r.body.messages).includes('"one"')));
  await send(bus, sid, say("two"));
  const events = await eventsUntil(bus, sid, (e) => e.type === "session.status_idle" && e.seq > 5);
  const answers = events
    .filter((e) => e.type === "agent.message")
    .map((e) => (e.type === "agent.message" ? e.content[0] : null));
  expect(answers).toEqual([
    { type: "text", text: "first answer" },
    { type: "text", text: "saw 3 messages" },
  ]);
  expect(types(events).filter((t) => t === "session.status_idle")).toHaveLength(1);
});

test("a custom tool idles with requires_action until the client answers", async () => {
  const sid = await newSession(bus, {
    tools: [
      {
        type: "custom",
        name: "lookup_order",
        description: "Look up an order",
        input_schema: { type: "object", properties: { id: { type: "string" } } },
      },
    ],
  });
  model.script(
    { type: "message", content: [{ type: "tool_use", name: "lookup_order", input: { id: "42" } }] },
    (req) => ({
      type: "message",
      content: [{ type: "text", text: `order says: ${JSON.stringify(req.body.messages.at(-1))}` }],
    }),
  );
  await send(bus, sid, say("where is order 42?"));
  const first = await eventsUntil(bus, sid, isIdle);
  const use = first.find((e) => e.type === "agent.custom_tool_use")!;
  expect(first.at(-1)).toMatchObject({
    type: "session.status_idle",
    stop_reason: { type: "requires_action", event_ids: [use.id] },
  });
  expect(model.requests.at(-1)!.body.tools?.map((t) => t.name)).toEqual(["lookup_order"]);
  await send(bus, sid, {
    type: "user.custom_tool_result",
    custom_tool_use_id: use.id,
    content: [{ type: "text", text: "shipped" }],
  });
  const rest = await eventsUntil(bus, sid, isIdle, first.length);
  const answer = rest.find((e) => e.type === "agent.message");
  expect(JSON.stringify(answer)).toContain("shipped");
  expect(JSON.stringify(answer)).toContain(use.id);
});

test("an always_ask tool waits for confirmation; a denial reaches the model with its message", async () => {
  const sid = await newSession(bus, {
    tools: [
      { type: "agent_toolset_20260401", default_config: { permission_policy: { type: "always_ask" } } },
    ],
  });
  model.script(
    {
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command: "rm -rf /workspace" } }],
    },
    (req) => ({
      type: "message",
      content: [{ type: "text", text: `ok: ${JSON.stringify(req.body.messages.at(-1))}` }],
    }),
  );
  await send(bus, sid, say("clean up"));
  const first = await eventsUntil(bus, sid, isIdle);
  const use = first.find((e) => e.type === "agent.tool_use")!;
  expect(use).toMatchObject({ name: "bash", evaluated_permission: "ask" });
  expect(first.at(-1)).toMatchObject({ stop_reason: { type: "requires_action", event_ids: [use.id] } });
  await send(bus, sid, {
    type: "user.tool_confirmation",
    tool_use_id: use.id,
    result: "deny",
    deny_message: "not that one",
  });
  const rest = await eventsUntil(bus, sid, isIdle, first.length);
  expect(rest.find((e) => e.type === "agent.tool_result")).toMatchObject({
    tool_use_id: use.id,
    is_error: true,
  });
  expect(JSON.stringify(rest.find((e) => e.type === "agent.message"))).toContain("not that one");
});

test("an interrupt aborts the model stream at once and idles with end_turn", async () => {
  const sid = await newSession(bus);
  model.script({ type: "hang" });
  const before = model.requests.length;
  await send(bus, sid, say("take your time"));
  await model.waitForRequests(before + 1);
  await send(bus, sid, { type: "user.interrupt" });
  const events = await eventsUntil(bus, sid, isIdle);
  expect(events.at(-1)).toMatchObject({ type: "session.status_idle", stop_reason: { type: "end_turn" } });
  expect(events.find((e) => e.type === "span.model_request_end")).toMatchObject({ is_error: true });
  await waitFor(() => model.requests[before]!.aborted);
  expect(types(events)).not.toContain("agent.message");
});

test("overloaded and rate-limited answers are retried, each visible as session.error retrying", async () => {
  const sid = await newSession(bus);
  model.script(
    { type: "error", status: 529 },
    { type: "error", status: 429 },
    { type: "message", content: [{ type: "text", text: "made it" }] },
  );
  await send(bus, sid, say("try hard"));
  const events = await eventsUntil(bus, sid, isIdle);
  const errors = events.filter((e) => e.type === "session.error");
  expect(errors).toMatchObject([
    { error: { type: "model_overloaded_error", retry_status: { type: "retrying" } } },
    { error: { type: "model_rate_limited_error", retry_status: { type: "retrying" } } },
  ]);
  expect(events.at(-1)).toMatchObject({ stop_reason: { type: "end_turn" } });
});

test("retries run out into retries_exhausted; a rejected request is terminal", async () => {
  const sid = await newSession(bus);
  model.script(
    { type: "error", status: 500 },
    { type: "error", status: 500 },
    { type: "error", status: 500 },
  );
  await send(bus, sid, say("doomed"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(events.filter((e) => e.type === "session.error").at(-1)).toMatchObject({
    error: { retry_status: { type: "exhausted" } },
  });
  expect(events.at(-1)).toMatchObject({
    type: "session.status_idle",
    stop_reason: { type: "retries_exhausted" },
  });

  const other = await newSession(bus);
  model.script({ type: "error", status: 400, message: "bad request body" });
  await send(bus, other, say("bad"));
  const terminal = await eventsUntil(bus, other, isIdle);
  expect(terminal.at(-1)!.type).toBe("session.status_terminated");
  expect(terminal.find((e) => e.type === "session.error")).toMatchObject({
    error: { retry_status: { type: "terminal" }, message: expect.stringContaining("400") },
  });
  await waitFor(
    async () => (await request(bus, STORE_RPC.sessionsGet, { session_id: other })).status === "terminated",
  );
  await expect(send(bus, other, say("again"))).rejects.toMatchObject({ code: "CONFLICT" });
});

test("a turn budget ends the next request with budget_reached", async () => {
  const sid = await newSession(bus, {}, { budget: { type: "limit", max_turns: 1 } });
  model.script({ type: "message", content: [{ type: "text", text: "one" }] });
  await send(bus, sid, say("first"));
  const first = await eventsUntil(bus, sid, isIdle);
  const before = model.requests.length;
  await send(bus, sid, say("second"));
  const rest = await eventsUntil(bus, sid, isIdle, first.length);
  expect(rest.at(-1)).toMatchObject({ stop_reason: { type: "budget_reached" } });
  expect(model.requests.length).toBe(before);
});
