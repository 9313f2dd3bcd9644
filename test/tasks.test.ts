import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { STORE_RPC, SUBJECTS } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import {
  startSystem,
  untilAnswers,
  waitFor,
  type ServiceProcess,
  type TestSystem,
  taskPublisherUrl,
} from "@corral/testing";

const run = promisify(execFile);
const example = fileURLToPath(new URL("../examples/python/submit_task.py", import.meta.url));

let system: TestSystem;
let bus: Bus;
let store: ServiceProcess;
let agentId: string;
let environmentId: string;

const ready = () => untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));

function submit(taskId: string, message: string, wait = 0) {
  const args = [
    example,
    "--nats",
    taskPublisherUrl(system.nats.url),
    "--task-id",
    taskId,
    "--agent",
    agentId,
    "--environment",
    environmentId,
    "--wait",
    String(wait),
    message,
  ];
  return run("python3", args, { timeout: 30_000 });
}

beforeAll(async () => {
  system = await startSystem("tasks-test");
  bus = system.bus;
  store = system.spawn("session-store");
  await ready();
  agentId = (await request(bus, STORE_RPC.agentsCreate, { name: "a", model: "m" })).id;
  environmentId = (await request(bus, STORE_RPC.environmentsCreate, { name: "tasks-env" })).id;
});

afterAll(async () => {
  await system.stop();
});

test("tasks published from Python while no service runs start exactly one session per task id", async () => {
  await store.kill("SIGKILL");
  await submit("t-1", "first task");
  await submit("t-1", "first task again");
  await submit("t-2", "second task");
  store = system.spawn("session-store");
  await ready();
  const t1 = await waitFor(
    () => request(bus, STORE_RPC.tasksGet, { task_id: "t-1" }).then((t) => t.state === "created" && t),
    { timeoutMs: 20_000 },
  );
  const t2 = await waitFor(
    () => request(bus, STORE_RPC.tasksGet, { task_id: "t-2" }).then((t) => t.state === "created" && t),
    { timeoutMs: 20_000 },
  );
  expect(t1.session_id).not.toBe(t2.session_id);
  const sessions = await request(bus, STORE_RPC.sessionsList, { agent_id: agentId, limit: 100 });
  expect(sessions.data.map((s) => s.task_id).sort()).toEqual(["t-1", "t-2"]);
  const events = await request(bus, STORE_RPC.eventsList, { session_id: t1.session_id! });
  expect(events.data).toMatchObject([
    { type: "user.message", content: [{ type: "text", text: "first task" }] },
  ]);
});

test("a task published again after its session exists changes nothing and --wait reports it", async () => {
  const { stdout } = await submit("t-3", "third", 20);
  const result = JSON.parse(stdout.trim().split("\n").pop()!) as { session_id: string; events: string[] };
  expect(result.events).toEqual(["user.message"]);
  // A publish outside the dedup window is still one session: the task id claims it in KV.
  await bus.js.publish(
    SUBJECTS.tasksSubmit,
    JSON.stringify({ task_id: "t-3", agent: agentId, environment_id: environmentId, message: "third" }),
  );
  await waitFor(async () => (await bus.jsm.streams.info("CORRAL_TASKS")).state.messages === 0, {
    timeoutMs: 10_000,
  });
  const sessions = await request(bus, STORE_RPC.sessionsList, { agent_id: agentId, limit: 100 });
  expect(sessions.data.filter((s) => s.task_id === "t-3").map((s) => s.id)).toEqual([result.session_id]);
  const events = await request(bus, STORE_RPC.eventsList, { session_id: result.session_id });
  expect(events.data.length).toBe(1);
});

test("an invalid task is recorded as rejected with the reason and creates no session", async () => {
  await bus.js.publish(
    SUBJECTS.tasksSubmit,
    JSON.stringify({ task_id: "bad-1", agent: agentId, environment_id: environmentId }),
  );
  await bus.js.publish(
    SUBJECTS.tasksSubmit,
    JSON.stringify({
      task_id: "bad-2",
      agent: "agent_00000000000000000000000000",
      environment_id: environmentId,
      message: "hi",
    }),
  );
  await bus.js.publish(SUBJECTS.tasksSubmit, "not json at all");
  const bad1 = await waitFor(() => request(bus, STORE_RPC.tasksGet, { task_id: "bad-1" }).catch(() => null), {
    timeoutMs: 10_000,
  });
  expect(bad1).toMatchObject({
    state: "rejected",
    session_id: null,
    error: { code: "INVALID_REQUEST", message: expect.stringContaining("message") },
  });
  const bad2 = await waitFor(
    () =>
      request(bus, STORE_RPC.tasksGet, { task_id: "bad-2" })
        .then((t) => t.state === "rejected" && t)
        .catch(() => null),
    { timeoutMs: 10_000 },
  );
  expect(bad2).toMatchObject({ error: { code: "NOT_FOUND" } });
  await waitFor(async () => (await bus.jsm.streams.info("CORRAL_TASKS")).state.messages === 0, {
    timeoutMs: 10_000,
  });
  expect(store.child.exitCode).toBeNull();
});
