import { beforeAll, expect, test } from "vitest";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, type SessionEvent } from "@corral/protocol";
import { lastUserText, type ScriptedModel } from "@corral/testing";
import { eventsUntil, isIdle, newSession, say, send, startBrainStack } from "@corral/harness/testing";
import { docker, removeTestContainers, startManager } from "@corral/sandbox-manager/testing";

let model: ScriptedModel;
let bus: Bus;

const toolset = { tools: [{ type: "agent_toolset_20260401" as const }] };
const types = (events: SessionEvent[]) => events.map((e) => e.type);

beforeAll(async () => {
  const stack = await startBrainStack({}, (natsUrl) => startManager(natsUrl, { warmPool: 1 }));
  ({ model, bus } = stack);
  return async () => {
    await stack.close();
    await removeTestContainers();
  };
});

test("a session that never uses a tool never gets a sandbox", async () => {
  const sid = await newSession(bus, toolset);
  model.script({ type: "message", content: [{ type: "text", text: "no tools needed" }] });
  await send(bus, sid, say("just chat"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(types(events).some((t) => t.startsWith("span.sandbox"))).toBe(false);
  expect((await request(bus, SANDBOX_RPC.list, { session_id: sid })).data).toEqual([]);
});

test("a multi-tool task runs end to end: the sandbox is provisioned lazily at the first tool call", async () => {
  const sid = await newSession(bus, toolset);
  model.script(
    {
      type: "message",
      content: [
        { type: "text", text: "I'll write the file." },
        { type: "tool_use", name: "write", input: { file_path: "hello.py", content: "print('hello')\n" } },
      ],
    },
    {
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command: "python3 hello.py" } }],
    },
    (req) => ({
      type: "message",
      content: [
        {
          type: "text",
          text: `The program printed: ${lastUserText(req).includes("hello") ? "hello" : "???"}`,
        },
      ],
    }),
  );
  await send(bus, sid, say("write and run hello.py"));
  const events = await eventsUntil(bus, sid, isIdle);
  expect(types(events)).toEqual([
    "user.message",
    "session.status_running",
    "span.model_request_start",
    "agent.message",
    "agent.tool_use",
    "span.model_request_end",
    "span.sandbox_provision_start",
    "span.sandbox_provision_end",
    "agent.tool_result",
    "span.model_request_start",
    "agent.tool_use",
    "span.model_request_end",
    "agent.tool_result",
    "span.model_request_start",
    "agent.message",
    "span.model_request_end",
    "session.usage",
    "session.status_idle",
  ]);
  const results = events.filter((e) => e.type === "agent.tool_result");
  expect(JSON.stringify(results[1])).toContain("hello");
  expect(JSON.stringify(events.at(-4))).toContain("The program printed: hello");
});

test("a sandbox killed mid-run is a tool error for the model; the next call gets a new sandbox with the same files", async () => {
  const sid = await newSession(bus, toolset);
  let sandboxContainer = "";
  model.script(
    {
      type: "message",
      content: [
        { type: "tool_use", name: "bash", input: { command: "echo kept > /workspace/data.txt; echo done" } },
      ],
    },
    () => ({
      type: "message",
      content: [{ type: "tool_use", name: "bash", input: { command: "sleep 20" } }],
    }),
    (req) => ({
      type: "message",
      content: [
        {
          type: "tool_use",
          name: "bash",
          input: {
            command: `echo "saw: ${lastUserText(req).includes("sandbox was lost") ? "lost" : "?"}"; cat /workspace/data.txt`,
          },
        },
      ],
    }),
    (req) => ({ type: "message", content: [{ type: "text", text: lastUserText(req) }] }),
  );
  await send(bus, sid, say("do it"));
  const first = await eventsUntil(bus, sid, (e) => e.type === "agent.tool_use" && e.seq > 8);
  const sandboxes = await request(bus, SANDBOX_RPC.list, { session_id: sid });
  sandboxContainer = sandboxes.data[0]!.container_id;
  await docker.getContainer(sandboxContainer).kill();
  const events = await eventsUntil(bus, sid, isIdle, first.length);
  expect(types(events)).toContain("span.sandbox_lost");
  expect(types(events).filter((t) => t === "span.sandbox_provision_end")).toHaveLength(1);
  const last = events.filter((e) => e.type === "agent.tool_result").at(-1);
  expect(JSON.stringify(last)).toContain("saw: lost");
  expect(JSON.stringify(last)).toContain("kept");
  expect(events.at(-1)).toMatchObject({ stop_reason: { type: "end_turn" } });
});
