import { describe, expect, test } from "vitest";
import type { EventId, SessionEvent, SessionEventInput } from "@corral/protocol";
import { decide } from "./decide.js";
import { foldLog } from "./state.js";

let n = 0;
function log(...inputs: SessionEventInput[]): SessionEvent[] {
  return inputs.map(
    (input, seq) =>
      ({
        ...input,
        id: `sevt_${String(++n).padStart(12, "0")}`,
        seq,
        processed_at: new Date(1_700_000_000_000 + seq).toISOString(),
      }) as SessionEvent,
  );
}
const user = (text: string): SessionEventInput => ({
  type: "user.message",
  content: [{ type: "text", text }],
});
const usage = {
  input_tokens: 10,
  output_tokens: 5,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
const start: SessionEventInput = { type: "span.model_request_start" };
const end = (startId: EventId): SessionEventInput => ({
  type: "span.model_request_end",
  model_request_start_id: startId,
  is_error: false,
  model_usage: usage,
});
const idle: SessionEventInput = { type: "session.status_idle", stop_reason: { type: "end_turn" } };

test("a new user message asks for the model; an empty log has nothing to do", () => {
  expect(decide(foldLog([]), null).kind).toBe("done");
  expect(decide(foldLog(log(user("hi"))), null).kind).toBe("call_model");
});

test("after the model answered, a running session idles, and an idle one is done", () => {
  const events = log(user("hi"), { type: "session.status_running" }, start, {
    type: "agent.message",
    content: [{ type: "text", text: "hello" }],
  });
  const done = [...events, ...log(end(events[2]!.id))].map((e, seq) => ({ ...e, seq }));
  expect(decide(foldLog(done), null).kind).toBe("idle");
  expect(decide(foldLog([...done, { ...log(idle)[0]!, seq: done.length }]), null).kind).toBe("done");
});

test("a message that arrived during a model request is answered before idling", () => {
  const e = log(user("one"), { type: "session.status_running" }, start, user("two"));
  const all = [...e, { ...log(end(e[2]!.id))[0]!, seq: 4 }];
  expect(decide(foldLog(all), null).kind).toBe("call_model");
});

test("a built-in tool use runs; an always_ask one waits for confirmation, then runs or is denied", () => {
  const base = log(user("go"), { type: "session.status_running" }, start, {
    type: "agent.tool_use",
    name: "bash",
    input: { command: "ls" },
    evaluated_permission: "ask",
  });
  const withEnd = [...base, { ...log(end(base[2]!.id))[0]!, seq: 4 }];
  const waiting = decide(foldLog(withEnd), null);
  expect(waiting).toEqual({ kind: "await_action", eventIds: [base[3]!.id] });
  const denied = foldLog([
    ...withEnd,
    {
      ...log({
        type: "user.tool_confirmation",
        tool_use_id: base[3]!.id,
        result: "deny",
        deny_message: "no",
      })[0]!,
      seq: 5,
    },
  ]);
  const step = decide(denied, null);
  expect(step.kind).toBe("run_tools");
  expect(step.kind === "run_tools" && step.calls[0]?.confirmation).toEqual({
    result: "deny",
    deny_message: "no",
  });
});

test("an interrupt wins over everything else and names the open calls", () => {
  const e = log(
    user("go"),
    { type: "session.status_running" },
    start,
    { type: "agent.custom_tool_use", name: "lookup", input: {} },
    { type: "user.interrupt" },
  );
  const step = decide(foldLog(e), null);
  expect(step.kind).toBe("interrupt");
  expect(step.kind === "interrupt" && step.open.map((c) => c.id)).toEqual([e[3]!.id]);
  const after = foldLog([...e, { ...log(idle)[0]!, seq: 5 }]);
  expect(after.pendingInterrupt).toBe(false);
});

test("an interrupted turn drops the input it was answering", () => {
  const e = log(user("go"), { type: "session.status_running" }, start, { type: "user.interrupt" }, idle);
  expect(decide(foldLog(e), null).kind).toBe("done");
});

test("a budget of one turn stops the second model request", () => {
  const e = log(user("one"), { type: "session.status_running" }, start);
  const all = [...e, ...log(end(e[2]!.id), idle, user("two")).map((ev, i) => ({ ...ev, seq: 3 + i }))];
  expect(decide(foldLog(all), { type: "limit", max_turns: 1 }).kind).toBe("budget_reached");
  expect(decide(foldLog(all), { type: "limit", max_turns: 2 }).kind).toBe("call_model");
});

test("a lost sandbox is remembered so the next tool call provisions again", () => {
  const e = log(
    { type: "span.sandbox_provision_end", sandbox_id: "sbx_0000000000AAAA", is_error: false },
    { type: "span.sandbox_lost", sandbox_id: "sbx_0000000000AAAA", reason: "killed" },
  );
  expect(foldLog(e).sandbox).toEqual({ id: "sbx_0000000000AAAA", lost: true });
});

describe("a coordinator and its threads", () => {
  const T = "sthr_0123456789abcdef0123456789";
  const sent = (threadSeq: number): SessionEventInput => ({
    type: "agent.thread_message_sent",
    to_session_thread_id: T,
    to_agent_name: "w",
    content: [{ type: "text", text: "do it" }],
    thread_seq: threadSeq,
  });
  const reply = (threadSeq: number): SessionEventInput => ({
    type: "agent.thread_message_received",
    from_session_thread_id: T,
    from_agent_name: "w",
    content: [{ type: "text", text: "done" }],
    thread_seq: threadSeq,
  });
  const turn = (...inputs: SessionEventInput[]) => {
    const events = log(user("fan out"), { type: "session.status_running" }, start, ...inputs);
    return [...events, { ...log(end(events[2]!.id))[0]!, seq: events.length }];
  };
  const more = (events: SessionEvent[], ...inputs: SessionEventInput[]) => [
    ...events,
    ...log(...inputs).map((e, i) => ({ ...e, seq: events.length + i })),
  ];

  test("waits, still running, while a thread owes a reply; the reply asks for the model", () => {
    const waiting = turn({ type: "session.thread_created", session_thread_id: T, agent_name: "w" }, sent(0));
    expect(foldLog(waiting).status).toBe("running");
    expect(decide(foldLog(waiting), null).kind).toBe("done");
    expect(decide(foldLog(more(waiting, reply(5))), null).kind).toBe("call_model");
  });

  test("replies are taken together: one of two is not enough to ask the model, a user message is", () => {
    const U = "sthr_fedcba9876543210fedcba9876";
    const both = turn(
      { type: "session.thread_created", session_thread_id: T, agent_name: "w" },
      sent(0),
      { type: "session.thread_created", session_thread_id: U, agent_name: "v" },
      {
        type: "agent.thread_message_sent",
        to_session_thread_id: U,
        to_agent_name: "v",
        content: [{ type: "text", text: "x" }],
        thread_seq: 0,
      },
    );
    const one = more(both, reply(5));
    expect(decide(foldLog(one), null).kind).toBe("done");
    expect(decide(foldLog(more(one, user("how is it going?"))), null).kind).toBe("call_model");
    expect(
      decide(
        foldLog(
          more(one, {
            type: "agent.thread_message_received",
            from_session_thread_id: U,
            from_agent_name: "v",
            content: [{ type: "text", text: "ok" }],
            thread_seq: 3,
          }),
        ),
        null,
      ).kind,
    ).toBe("call_model");
  });

  test("a reply that overtook the message it answers is still taken, and nothing is awaited afterwards", () => {
    const events = turn(
      { type: "session.thread_created", session_thread_id: T, agent_name: "w" },
      reply(5),
      sent(0),
    );
    const state = foldLog(events);
    expect(state.newInputSeqs.length).toBe(1);
    expect(decide(state, null).kind).toBe("call_model");
  });

  test("after an interrupt, a late reply wakes nobody", () => {
    const waiting = turn({ type: "session.thread_created", session_thread_id: T, agent_name: "w" }, sent(0));
    const interrupted = more(
      waiting,
      { type: "user.interrupt" },
      { type: "session.status_idle", stop_reason: { type: "end_turn" } },
    );
    expect(decide(foldLog(interrupted), null).kind).toBe("done");
    expect(decide(foldLog(more(interrupted, reply(7))), null).kind).toBe("done");
  });

  test("an interrupt naming a thread is that thread's, not the coordinator's", () => {
    const waiting = turn({ type: "session.thread_created", session_thread_id: T, agent_name: "w" }, sent(0));
    expect(foldLog(more(waiting, { type: "user.interrupt", session_thread_id: T })).pendingInterrupt).toBe(
      false,
    );
  });

  test("a sandbox handed out by transfer is gone; shared, it stays; returned, it is back", () => {
    const sbx = "sbx_0123456789abcdef01234567";
    const held = log({ type: "span.sandbox_provision_end", sandbox_id: sbx, is_error: false });
    expect(
      foldLog(
        more(held, {
          type: "span.sandbox_handoff",
          sandbox_id: sbx,
          mode: "share",
          direction: "out",
          peer_thread_id: T,
        }),
      ).sandbox?.id,
    ).toBe(sbx);
    const given = more(held, {
      type: "span.sandbox_handoff",
      sandbox_id: sbx,
      mode: "transfer",
      direction: "out",
      peer_thread_id: T,
    });
    expect(foldLog(given).sandbox).toBeNull();
    expect(
      foldLog(
        more(given, {
          type: "span.sandbox_handoff",
          sandbox_id: sbx,
          mode: "return",
          direction: "in",
          peer_thread_id: T,
        }),
      ).sandbox?.id,
    ).toBe(sbx);
  });
});

test("a session's budget covers its threads: tokens they used count against it", () => {
  const events = log(user("go"));
  const budget = { type: "limit" as const, max_tokens: 1000 };
  expect(decide(foldLog(events), budget, Date.now(), 999).kind).toBe("call_model");
  expect(decide(foldLog(events), budget, Date.now(), 1000).kind).toBe("budget_reached");
});
