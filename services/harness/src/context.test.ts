import { expect, test } from "vitest";
import type { AgentSnapshot, SessionEvent, SessionEventInput } from "@corral/protocol";
import { fullHistory } from "./context.js";
import { foldLog } from "./state.js";

const agent = {
  id: "agent_0123456789abcdef0123456789",
  version: 1,
  name: "a",
  description: null,
  model: { id: "m" },
  system: "s",
  tools: [],
  mcp_servers: [],
  skills: [],
  multiagent: null,
} as AgentSnapshot;
const log = (...inputs: SessionEventInput[]) =>
  inputs.map(
    (input, seq) =>
      ({
        ...input,
        id: `sevt_${String(seq).padStart(26, "0")}`,
        seq,
        processed_at: "2026-11-26T00:00:00.000Z",
      }) as SessionEvent,
  );
const usage = {
  input_tokens: 1,
  output_tokens: 1,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

test("a message or a thread's reply that arrives between two tool results comes after the results", () => {
  const events = log(
    { type: "user.message", content: [{ type: "text", text: "go" }] },
    { type: "span.model_request_start" },
    { type: "agent.tool_use", name: "bash", input: { command: "a" } },
    { type: "agent.tool_use", name: "bash", input: { command: "b" } },
    {
      type: "span.model_request_end",
      model_request_start_id: "sevt_00000000000000000000000001",
      is_error: false,
      model_usage: usage,
    },
    {
      type: "agent.tool_result",
      tool_use_id: "sevt_00000000000000000000000002",
      content: [{ type: "text", text: "A" }],
    },
    {
      type: "agent.thread_message_received",
      from_session_thread_id: "sthr_0123456789abcdef0123456789",
      from_agent_name: "w",
      content: [{ type: "text", text: "done" }],
    },
    { type: "user.message", content: [{ type: "text", text: "also this" }] },
    {
      type: "agent.tool_result",
      tool_use_id: "sevt_00000000000000000000000003",
      content: [{ type: "text", text: "B" }],
    },
  );
  const ctx = fullHistory().build(events, foldLog(events), agent);
  const last = ctx.messages.at(-1)!;
  expect(last.role).toBe("user");
  expect(last.content.map((b) => b.type)).toEqual(["tool_result", "tool_result", "text", "text"]);
  expect(last.content.map((b) => (b.type === "tool_result" ? b.tool_use_id : b.text))).toEqual([
    "sevt_00000000000000000000000002",
    "sevt_00000000000000000000000003",
    "Reply from thread sthr_0123456789abcdef0123456789 (w):\ndone",
    "also this",
  ]);
});

test("an input that landed after the context was built is still new, and follows the answer that did not see it", () => {
  const events = log(
    { type: "user.message", content: [{ type: "text", text: "first" }] },
    { type: "user.message", content: [{ type: "text", text: "second, too late for the request" }] },
    { type: "span.model_request_start", context_through_seq: 0 },
    { type: "agent.message", content: [{ type: "text", text: "answer to first" }] },
    {
      type: "span.model_request_end",
      model_request_start_id: "sevt_00000000000000000000000002",
      is_error: false,
      model_usage: usage,
    },
  );
  const state = foldLog(events);
  expect(state.newInputSeqs).toEqual([1]);
  const ctx = fullHistory().build(events, state, agent);
  expect(ctx.messages.map((m) => [m.role, m.content.map((b) => b.text).join("")])).toEqual([
    ["user", "first"],
    ["assistant", "answer to first"],
    ["user", "second, too late for the request"],
  ]);
});
