import { beforeAll, expect, test } from "vitest";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, THREAD_RPC } from "@corral/protocol";
import {
  systemText,
  toolResultsIn,
  waitFor,
  type ReceivedRequest,
  type ScriptedModel,
} from "@corral/testing";
import { removeTestContainers, startManager } from "@corral/sandbox-manager/testing";
import { allEvents, eventsUntil, isIdle, newSession, say, send, startBrainStack } from "./testing.js";

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

const text = (t: string) => ({ type: "message" as const, content: [{ type: "text" as const, text: t }] });
const use = (name: string, input: Record<string, unknown>) => ({
  type: "message" as const,
  content: [{ type: "tool_use" as const, name, input }],
});

/** The lead starts a thread on a fresh sandbox; the helper runs one bash command in it and reports. */
function byRole(req: ReceivedRequest) {
  const started = toolResultsIn(req).length > 0;
  if (systemText(req) === "provision:helper")
    return started ? text("helper done") : use("bash", { command: "true" });
  return started
    ? text("lead done")
    : use("start_thread", { agent: "helper", task: "run it", sandbox: "fresh" });
}

test("a thread's own sandbox is recorded with its host in the thread's log", async () => {
  const toolset = [{ type: "agent_toolset_20260401" as const }];
  const helper = await request(bus, STORE_RPC.agentsCreate, {
    name: "helper",
    model: "claude-test",
    system: "provision:helper",
    tools: toolset,
  });
  const sid = await newSession(bus, {
    system: "provision:lead",
    tools: toolset,
    multiagent: { type: "coordinator", agents: [helper.id] },
  });
  model.setFallback(byRole);
  await send(bus, sid, say("split it"));
  const ends = await waitFor(async () => {
    const [thread] = (await request(bus, THREAD_RPC.list, { session_id: sid })).data;
    const log = thread ? await allEvents(bus, thread.id) : [];
    const found = log.filter((e) => e.type === "span.sandbox_provision_end");
    return found.length > 0 && found;
  });
  expect(ends).toHaveLength(1);
  expect(ends[0]).toMatchObject({ is_error: false, host: HOST });
  const own = await allEvents(bus, sid);
  expect(own.some((e) => e.type === "span.sandbox_provision_end")).toBe(false);
});
