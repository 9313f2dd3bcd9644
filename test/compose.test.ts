import { afterAll, beforeAll, expect, test } from "vitest";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC, type SessionId } from "@corral/protocol";
import {
  answeredWith,
  startScriptedModel,
  stepCounts,
  stepProgram,
  waitFor,
  untilAnswers,
  untilHealthy,
  type ScriptedModel,
} from "@corral/testing";
import { allEvents } from "@corral/harness/testing";
import { bashInSession } from "@corral/sandbox-manager/testing";
import { startComposeStack, type ComposeStack } from "./support/compose-stack.js";

// deploy/compose as a user runs it: the image built from these sources, a 3-node NATS cluster at R3, two
// replicas of every stateless service and the sandbox host's manager and proxy; tasks published from
// Python; one NATS node and one replica of every service crashed (SIGKILL) mid-run and brought back by
// their restart policy.
const run = promisify(execFile);
const example = fileURLToPath(new URL("../examples/python/submit_task.py", import.meta.url));
const STEPS = 4;
const TASKS = 8;

let model: ScriptedModel;
let stack: ComposeStack;

beforeAll(async () => {
  model = await startScriptedModel({ host: "0.0.0.0" });
  model.setFallback(stepProgram(STEPS, [300, 900]));
  stack = await startComposeStack(Number(new URL(model.url).port));
}, 600_000);

afterAll(async () => {
  await stack?.down();
  await model?.close();
}, 120_000);

async function publishTask(taskId: string, agentId: string, environmentId: string, message: string) {
  const password = (await readFile(join(stack.dir, "auth", "tasks.password"), "utf8")).trim();
  const nats = stack.natsUrl.split(",").map((u) => u.replace("nats://", `nats://tasks:${password}@`));
  const args = [example, "--nats", nats.join(","), "--task-id", taskId, "--agent", agentId];
  await run("python3", [...args, "--environment", environmentId, message], { timeout: 60_000 });
}

async function sessionOf(taskId: string): Promise<SessionId> {
  let sessionId: string | null = null;
  await waitFor(
    async () => {
      const task = await request(stack.bus, STORE_RPC.tasksGet, { task_id: taskId }).catch(() => null);
      sessionId = task?.session_id ?? null;
      return sessionId !== null;
    },
    { timeoutMs: 60_000 },
  );
  return sessionId as unknown as SessionId;
}

/** Every tool use answered once without error, every step run exactly once, the session's own answer. */
async function verify(sessionId: SessionId, token: string): Promise<void> {
  const events = await allEvents(stack.bus, sessionId);
  expect(answeredWith(events, token), `${sessionId} did not answer ${token}`).toBe(true);
  const uses = events.flatMap((e) => (e.type === "agent.tool_use" ? [e.id] : []));
  const results = events.flatMap((e) => (e.type === "agent.tool_result" ? [e] : []));
  expect(results.map((r) => r.tool_use_id).sort()).toEqual([...uses].sort());
  expect(results.filter((r) => r.is_error).map((r) => JSON.stringify(r.content))).toEqual([]);
  const counts = stepCounts(await bashInSession(stack.bus, sessionId, "cat /workspace/count.log"), STEPS);
  expect(counts, sessionId).toEqual(Array.from({ length: STEPS }, () => 1));
}

test(
  "the compose deployment runs tasks through a NATS node crash and a crash of every service",
  {
    timeout: 600_000,
  },
  async () => {
    const agent = await request(stack.bus, STORE_RPC.agentsCreate, {
      name: "compose-agent",
      model: "scripted",
      tools: [{ type: "agent_toolset_20260401" }],
    });
    const environment = await request(stack.bus, STORE_RPC.environmentsCreate, { name: "compose-env" });
    const tokens = Array.from({ length: TASKS }, () => `token-${randomBytes(4).toString("hex")}`);
    const taskIds = tokens.map((_, i) => `compose-${i}-${randomBytes(3).toString("hex")}`);
    await Promise.all(
      taskIds.map((id, i) =>
        publishTask(id, agent.id, environment.id, `count the steps, then say ${tokens[i]}`),
      ),
    );
    const sessions = await Promise.all(taskIds.map(sessionOf));

    // Mid-run: one NATS node, then one replica of every service, each SIGKILLed; Docker restarts them.
    await waitFor(() => model.requests.length >= TASKS * 2, { timeoutMs: 120_000 });
    await stack.crash("nats-2");
    await sleep(1500);
    for (const service of [
      "harness-1",
      "session-store-1",
      "gateway-1",
      "sandbox-manager",
      "credential-proxy",
    ])
      await stack.crash(service);

    const finished = async (i: number) =>
      answeredWith(await allEvents(stack.bus, sessions[i]!).catch(() => []), tokens[i]!);
    await waitFor(async () => (await Promise.all(sessions.map((_, i) => finished(i)))).every(Boolean), {
      timeoutMs: 240_000,
      intervalMs: 1000,
    });
    await untilAnswers(() => request(stack.bus, SANDBOX_RPC.list, {}, { timeoutMs: 2000 }));
    for (const [i, sessionId] of sessions.entries()) await verify(sessionId, tokens[i]!);

    // Every crashed container came back, and both gateways serve the API.
    const states = await stack.compose("ps");
    for (const service of ["nats-2", "harness-1", "session-store-1", "gateway-1", "sandbox-manager"])
      expect(states).toMatch(new RegExp(`_${service}_1\\s.*\\sUp`));
    // A restarted gateway serves once its start-up is through (it waits for JetStream like every service),
    // which may be after the sessions finished on the other one.
    for (const url of stack.gateways) await untilHealthy(url, 120_000);
  },
);

test("an API key made with the image's CLI opens the API on both gateways, which list the tasks' sessions", async () => {
  const created = await stack.compose("run", "--rm", "-T", "gateway-1", "corral", "keys", "create");
  const key = /sk-corral-[A-Za-z0-9_-]+/.exec(created)?.[0];
  expect(key, created).toBeDefined();
  // A session answered before a crash goes idle once another replica has taken it over and said so.
  for (const url of stack.gateways) {
    let statuses: string[] = [];
    await waitFor(
      async () => {
        const listed = await fetch(`${url}/v1/sessions?limit=100`, { headers: { "x-api-key": key! } });
        expect(listed.status).toBe(200);
        const body = (await listed.json()) as { data: { id: string; status: string }[] };
        statuses = body.data.map((s) => `${s.id}: ${s.status}`);
        return body.data.filter((s) => s.status === "idle").length >= TASKS;
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    ).catch((error: unknown) => {
      throw new Error(`fewer than ${TASKS} sessions idle: ${statuses.join(", ")}`, { cause: error });
    });
  }
  const refused = await fetch(`${stack.gateways[0]}/v1/sessions`, {
    headers: { "x-api-key": "sk-corral-x" },
  });
  expect(refused.status).toBe(401);
}, 600_000);
