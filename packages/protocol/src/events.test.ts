import { expect, test } from "vitest";
import {
  CLIENT_EVENT_TYPES,
  ClientEventInput,
  SESSION_EVENT_TYPES,
  SessionEvent,
  SessionEventInput,
  type SessionEventType,
} from "./events.js";
import { StopReason } from "./events-session.js";

const EVT = "sevt_01J9ZK3M4N5P6Q7R8S9T0VWXYZ";
const EVT2 = "sevt_01J9ZK3M4N5P6Q7R8S9T0VWXY2";
const THREAD = "sthr_01J9ZK3M4N5P6Q7R8S9T0VWXYZ" as const;
const OUTCOME = "outc_01J9ZK3M4N5P6Q7R8S9T0VWXYZ";
const usage = {
  input_tokens: 10,
  output_tokens: 5,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
const thread = { session_thread_id: THREAD, agent_name: "reviewer" };
const text = (t: string) => [{ type: "text" as const, text: t }];

// Typed by event type, so adding a type without a sample fails to compile.
const SAMPLES: { [T in SessionEventType]: Extract<SessionEventInput, { type: T }> } = {
  "user.message": {
    type: "user.message",
    content: [
      { type: "text", text: "hi" },
      { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
      {
        type: "document",
        source: { type: "text", data: "doc", media_type: "text/plain" },
        title: "t",
        context: "c",
      },
    ],
  },
  "user.interrupt": { type: "user.interrupt" },
  "user.tool_confirmation": { type: "user.tool_confirmation", tool_use_id: EVT, result: "allow" },
  "user.custom_tool_result": {
    type: "user.custom_tool_result",
    custom_tool_use_id: EVT,
    content: text("42"),
    is_error: false,
  },
  "user.tool_result": { type: "user.tool_result", tool_use_id: EVT, content: text("ok") },
  "user.define_outcome": {
    type: "user.define_outcome",
    description: "a report",
    rubric: { type: "text", content: "has a summary" },
    max_iterations: 3,
    outcome_id: OUTCOME,
  },
  "system.message": { type: "system.message", content: text("be brief") },
  "agent.message": { type: "agent.message", content: [{ type: "text", text: "done" }, { type: "redacted" }] },
  "agent.thinking": { type: "agent.thinking" },
  "agent.tool_use": {
    type: "agent.tool_use",
    name: "bash",
    input: { command: "ls" },
    evaluated_permission: "ask",
  },
  "agent.tool_result": {
    type: "agent.tool_result",
    tool_use_id: EVT,
    content: [
      {
        type: "search_result",
        source: "https://x.dev",
        title: "x",
        content: text("r"),
        citations: { enabled: true },
      },
    ],
  },
  "agent.mcp_tool_use": {
    type: "agent.mcp_tool_use",
    mcp_server_name: "github",
    name: "list_issues",
    input: {},
  },
  "agent.mcp_tool_result": {
    type: "agent.mcp_tool_result",
    mcp_tool_use_id: EVT,
    content: text("[]"),
    is_error: false,
  },
  "agent.custom_tool_use": {
    type: "agent.custom_tool_use",
    name: "lookup",
    input: { q: "x" },
    session_thread_id: THREAD,
  },
  "agent.thread_context_compacted": {
    type: "agent.thread_context_compacted",
    compacted_through_seq: 41,
    summary: "so far",
    pre_compaction_tokens: 180_000,
  },
  "agent.thread_message_sent": {
    type: "agent.thread_message_sent",
    to_session_thread_id: THREAD,
    to_agent_name: "reviewer",
    content: text("go"),
  },
  "agent.thread_message_received": {
    type: "agent.thread_message_received",
    from_session_thread_id: THREAD,
    content: text("ok"),
  },
  "session.status_running": { type: "session.status_running" },
  "session.status_idle": {
    type: "session.status_idle",
    stop_reason: { type: "requires_action", event_ids: [EVT] },
  },
  "session.status_rescheduled": { type: "session.status_rescheduled" },
  "session.status_terminated": { type: "session.status_terminated" },
  "session.error": {
    type: "session.error",
    error: {
      type: "mcp_connection_failed_error",
      message: "refused",
      retry_status: { type: "retrying" },
      mcp_server_name: "github",
    },
  },
  "session.deleted": { type: "session.deleted" },
  "session.updated": { type: "session.updated", title: "renamed", metadata: { team: "infra" } },
  "session.usage": { type: "session.usage", usage, budget: { type: "limit", max_tokens: 1_000_000 } },
  "session.thread_created": { type: "session.thread_created", ...thread },
  "session.thread_status_running": { type: "session.thread_status_running", ...thread },
  "session.thread_status_idle": {
    type: "session.thread_status_idle",
    ...thread,
    stop_reason: { type: "end_turn" },
  },
  "session.thread_status_rescheduled": { type: "session.thread_status_rescheduled", ...thread },
  "session.thread_status_terminated": { type: "session.thread_status_terminated", ...thread },
  "span.model_request_start": { type: "span.model_request_start" },
  "span.model_request_end": {
    type: "span.model_request_end",
    model_request_start_id: EVT,
    is_error: false,
    model_usage: { ...usage, speed: "standard" },
  },
  "span.outcome_evaluation_start": {
    type: "span.outcome_evaluation_start",
    outcome_id: OUTCOME,
    iteration: 0,
  },
  "span.outcome_evaluation_ongoing": {
    type: "span.outcome_evaluation_ongoing",
    outcome_id: OUTCOME,
    iteration: 0,
  },
  "span.outcome_evaluation_end": {
    type: "span.outcome_evaluation_end",
    outcome_id: OUTCOME,
    iteration: 0,
    outcome_evaluation_start_id: EVT,
    result: "needs_revision",
    explanation: "missing summary",
    usage,
  },
  "span.sandbox_provision_start": { type: "span.sandbox_provision_start" },
  "span.sandbox_provision_end": {
    type: "span.sandbox_provision_end",
    sandbox_id: "sbx_01J9ZK3M4N5P6Q7R8S9T0VWXYZ",
    is_error: true,
    error_message: "no image",
  },
  "span.sandbox_lost": {
    type: "span.sandbox_lost",
    sandbox_id: "sbx_01J9ZK3M4N5P6Q7R8S9T0VWXYZ",
    reason: "killed",
  },
  "span.credential_use": {
    type: "span.credential_use",
    credential_id: "vcrd_01J9ZK3M4N5P6Q7R8S9T0VWXYZ",
    vault_id: "vlt_01J9ZK3M4N5P6Q7R8S9T0VWXYZ",
    host: "api.github.com",
    method: "GET",
    status: 200,
  },
  "span.egress_blocked": {
    type: "span.egress_blocked",
    host: "evil.example",
    method: "CONNECT",
    reason: "not in allowed_hosts",
  },
  "span.sandbox_handoff": {
    type: "span.sandbox_handoff",
    sandbox_id: "sbx_01HZX3Q9W7K2M4N6P8R0S2T4V6",
    mode: "share",
    direction: "in",
    peer_thread_id: null,
  },
};

const base = (seq: number) => ({ id: EVT2, processed_at: "2026-04-08T12:00:00.000Z", seq });

test("parses a valid input and stored event of every type, unchanged", () => {
  SESSION_EVENT_TYPES.forEach((type, seq) => {
    const input = SAMPLES[type];
    expect(SessionEventInput.parse(input)).toEqual(input);
    expect(SessionEvent.parse({ ...input, ...base(seq) })).toEqual({ ...input, ...base(seq) });
  });
});

test("the type list names exactly the types the unions accept", () => {
  const unionTypes = (u: { options: readonly { shape: { type: { value: string } } }[] }) =>
    u.options.map((o) => o.shape.type.value);
  expect(unionTypes(SessionEventInput)).toEqual([...SESSION_EVENT_TYPES]);
  expect(unionTypes(SessionEvent)).toEqual([...SESSION_EVENT_TYPES]);
  expect(unionTypes(ClientEventInput)).toEqual([...CLIENT_EVENT_TYPES]);
});

test("rejects an event whose type is unknown", () => {
  for (const schema of [SessionEventInput, SessionEvent, ClientEventInput]) {
    const result = schema.safeParse({ type: "agent.telepathy", ...base(0) });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(["type"]);
  }
});

test("rejects a stored event without a sevt_ id, a timestamp or a non-negative integer seq", () => {
  const ok = { type: "agent.thinking", ...base(0) };
  expect(SessionEvent.safeParse(ok).success).toBe(true);
  expect(SessionEvent.safeParse({ ...ok, id: "evt_01J9ZK3M4N5P6Q7R8S9T0VWXYZ" }).success).toBe(false);
  expect(SessionEvent.safeParse({ ...ok, processed_at: "yesterday" }).success).toBe(false);
  expect(SessionEvent.safeParse({ ...ok, seq: -1 }).success).toBe(false);
  expect(SessionEvent.safeParse({ ...ok, seq: 1.5 }).success).toBe(false);
  expect(SessionEvent.safeParse({ type: "agent.thinking" }).success).toBe(false);
});

test("keeps deny_message on a denied tool confirmation", () => {
  const denied = {
    type: "user.tool_confirmation",
    tool_use_id: EVT,
    result: "deny",
    deny_message: "not on prod",
  };
  expect(ClientEventInput.parse(denied)).toEqual(denied);
  expect(SessionEventInput.parse(denied)).toEqual(denied);
});

test("rejects deny_message on an allowed tool confirmation", () => {
  const allowed = { type: "user.tool_confirmation", tool_use_id: EVT, result: "allow", deny_message: "?" };
  expect(ClientEventInput.safeParse(allowed).error?.issues[0]?.path).toEqual(["deny_message"]);
  expect(SessionEvent.safeParse({ ...allowed, ...base(0) }).success).toBe(false);
});

test("a requires_action stop reason needs at least one event id", () => {
  expect(StopReason.safeParse({ type: "requires_action" }).success).toBe(false);
  expect(StopReason.safeParse({ type: "requires_action", event_ids: [] }).success).toBe(false);
  expect(StopReason.parse({ type: "requires_action", event_ids: [EVT] })).toEqual({
    type: "requires_action",
    event_ids: [EVT],
  });
  expect(StopReason.safeParse({ type: "refusal" }).success).toBe(false);
});

test("clients cannot send agent, session or span events", () => {
  for (const type of ["agent.message", "session.status_idle", "span.model_request_start"] as const) {
    expect(ClientEventInput.safeParse(SAMPLES[type]).success).toBe(false);
  }
});

test("drops the thread a client puts on an answer, since the server routes answers", () => {
  const answer = {
    type: "user.custom_tool_result",
    custom_tool_use_id: EVT,
    content: text("1"),
    session_thread_id: THREAD,
  };
  expect(ClientEventInput.parse(answer)).not.toHaveProperty("session_thread_id");
  expect(SessionEventInput.parse(answer)).toHaveProperty("session_thread_id", THREAD);
});

test("drops an outcome_id a client sends with user.define_outcome", () => {
  const outcome = { ...SAMPLES["user.define_outcome"] };
  expect(ClientEventInput.parse(outcome)).not.toHaveProperty("outcome_id");
});

test("strips unknown keys from an event and its blocks", () => {
  const parsed = SessionEventInput.parse({
    type: "user.message",
    content: [{ type: "text", text: "hi", cache_control: {} }],
    extra: 1,
  });
  expect(parsed).toEqual({ type: "user.message", content: [{ type: "text", text: "hi" }] });
});

test("rejects a text block longer than 1,000,000 characters and an empty user message", () => {
  expect(
    SessionEventInput.safeParse({ type: "user.message", content: text("x".repeat(1_000_000)) }).success,
  ).toBe(true);
  expect(
    SessionEventInput.safeParse({ type: "user.message", content: text("x".repeat(1_000_001)) }).success,
  ).toBe(false);
  expect(SessionEventInput.safeParse({ type: "user.message", content: [] }).success).toBe(false);
});

test("rejects a content block of a kind the event does not carry", () => {
  const image = { type: "image", source: { type: "file", file_id: "file_1" } };
  expect(SessionEventInput.safeParse({ type: "user.message", content: [image] }).success).toBe(true);
  expect(SessionEventInput.safeParse({ type: "agent.message", content: [image] }).success).toBe(false);
  expect(SessionEventInput.safeParse({ type: "system.message", content: [image] }).success).toBe(false);
});

test("session.error takes retry_status as the API's object, not a bare string", () => {
  const error = { type: "model_overloaded_error", message: "busy", retry_status: "retrying" };
  expect(SessionEventInput.safeParse({ type: "session.error", error }).success).toBe(false);
  expect(
    SessionEventInput.safeParse({
      type: "session.error",
      error: { ...error, type: "oops_error", retry_status: { type: "terminal" } },
    }).success,
  ).toBe(false);
});

test("a compaction event must say how far it compacted", () => {
  expect(SessionEventInput.safeParse({ type: "agent.thread_context_compacted" }).success).toBe(false);
  expect(
    SessionEventInput.parse({ type: "agent.thread_context_compacted", compacted_through_seq: 0 }),
  ).toEqual({
    type: "agent.thread_context_compacted",
    compacted_through_seq: 0,
  });
});

test("accepts the nulls the official SDK sends for optional fields", () => {
  const sdk = {
    type: "user.custom_tool_result",
    custom_tool_use_id: EVT,
    content: text("1"),
    is_error: null,
  };
  expect(ClientEventInput.parse(sdk)).toEqual(sdk);
  expect(ClientEventInput.parse({ type: "user.interrupt", session_thread_id: null })).toEqual({
    type: "user.interrupt",
    session_thread_id: null,
  });
});
