import { beforeAll, expect, test } from "vitest";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC } from "@corral/protocol";
import type { ScriptedModel } from "@corral/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { eventsUntil, isIdle, newSession, say, send, startBrainStack } from "./testing.js";

const HOST = "docker-host-f16.example";
let model: ScriptedModel;
let bus: Bus;

beforeAll(async () => {
  const stack = await startBrainStack({}, (natsUrl) => startManager(natsUrl, { hostId: HOST }));
  ({ model, bus } = stack);
  return async () => {
    await stack.close();
    await removeTestContainers();
  };
});

test("the provision span names the host of the sandbox-manager that started the sandbox", async () => {
  const sid = await newSession(bus, { tools: [{ type: "agent_toolset_20260401" as const }] });
  model.script(
    { type: "message", content: [{ type: "tool_use", name: "bash", input: { command: "echo hi" } }] },
    { type: "message", content: [{ type: "text", text: "done" }] },
  );
  await send(bus, sid, say("run it"));
  const events = await eventsUntil(bus, sid, isIdle);
  const ends = events.filter((e) => e.type === "span.sandbox_provision_end");
  expect(ends).toHaveLength(1);
  const [sandbox] = (await request(bus, SANDBOX_RPC.list, { session_id: sid })).data;
  expect(sandbox?.host).toBe(HOST);
  expect(ends[0]).toMatchObject({ sandbox_id: sandbox!.id, is_error: false, host: HOST });
});
