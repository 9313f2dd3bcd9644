import { afterAll, beforeAll, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import type { ScriptedModel } from "@corral/testing";
import { eventsUntil, isIdle, newSession, say, send, startBrainStack, type BrainStack } from "./testing.js";

let stack: BrainStack;
let model: ScriptedModel;
let bus: Bus;

beforeAll(async () => {
  stack = await startBrainStack({ contextStrategy: "compacting", compactAtTokens: 60 });
  ({ model, bus } = stack);
});

afterAll(() => stack.close());

test("past the threshold the model writes a summary, later requests use it, and the raw log keeps everything", async () => {
  const sid = await newSession(bus, { system: "s" });
  model.script({ type: "message", content: [{ type: "text", text: "first answer" }] });
  await send(bus, sid, say("the first question, long enough to pass the compaction threshold of this test"));
  const first = await eventsUntil(bus, sid, isIdle);
  model.script(
    {
      type: "message",
      content: [{ type: "text", text: "SUMMARY-7F3: asked a first question, got a first answer" }],
    },
    { type: "message", content: [{ type: "text", text: "second answer" }] },
  );
  const before = model.requests.length;
  await send(bus, sid, say("the second question"));
  const rest = await eventsUntil(bus, sid, isIdle, first.length);
  const compacted = rest.find((e) => e.type === "agent.thread_context_compacted");
  expect(compacted).toMatchObject({ summary: "SUMMARY-7F3: asked a first question, got a first answer" });
  const summarise = JSON.stringify(model.requests[before]!.body.messages);
  expect(summarise).toContain("Summarise the conversation");
  const after = JSON.stringify(model.requests[before + 1]!.body.messages);
  expect(after).toContain("SUMMARY-7F3");
  expect(after).toContain("the second question");
  expect(after).not.toContain("the first question");
  const raw = await request(bus, STORE_RPC.eventsList, { session_id: sid, types: ["user.message"] });
  expect(
    raw.data.map((e) =>
      e.type === "user.message" && e.content[0]?.type === "text" ? e.content[0].text : "",
    ),
  ).toEqual([
    "the first question, long enough to pass the compaction threshold of this test",
    "the second question",
  ]);
});

test("system.message is added to the system prompt for that turn and later ones", async () => {
  const sid = await newSession(bus, { system: "base prompt" });
  model.script(
    { type: "message", content: [{ type: "text", text: "ok" }] },
    { type: "message", content: [{ type: "text", text: "summary" }] },
    { type: "message", content: [{ type: "text", text: "ok again" }] },
  );
  const before = model.requests.length;
  await send(bus, sid, say("hi"), {
    type: "system.message",
    content: [{ type: "text", text: "Answer in French from now on." }],
  });
  await eventsUntil(bus, sid, isIdle);
  expect(JSON.stringify(model.requests[before]!.body.system)).toContain("Answer in French from now on.");
  expect(JSON.stringify(model.requests[before]!.body.system)).toContain("base prompt");
});
