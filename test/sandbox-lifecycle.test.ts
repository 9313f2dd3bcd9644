import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC, STORE_RPC, type SandboxRecord } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import {
  freePort,
  startSystem,
  untilAnswers,
  waitFor,
  type ServiceProcess,
  type TestSystem,
} from "@corral/testing";
import { parseMetrics, sumOf } from "@corral/metrics";
import { docker, removeTestContainers, runTool, RUN_LABEL } from "@corral/sandbox-manager/testing";

let system: TestSystem;
let bus: Bus;
const managers: ServiceProcess[] = [];
const hostA = `host-a-${randomBytes(3).toString("hex")}`;

const managerPorts: number[] = [];

async function startManager(hostId: string, warmPool = 0): Promise<ServiceProcess> {
  const port = await freePort();
  managerPorts.push(port);
  const proc = system.spawn("sandbox-manager", {
    HEALTH_PORT: String(port),
    CORRAL_HOST_ID: hostId,
    SANDBOX_WARM_POOL: String(warmPool),
    SANDBOX_NETWORK: "corral-sandboxes-test",
    SANDBOX_MEMORY_MB: "128",
    SANDBOX_PIDS: "64",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
  });
  managers.push(proc);
  return proc;
}

const toolId = () => `toolu_${randomBytes(8).toString("hex")}`;
const sessionId = () => `sesn_${randomBytes(10).toString("hex")}`;
const provision = (session: string) =>
  request(bus, SANDBOX_RPC.provision, { session_id: session, spec: {} }, { timeoutMs: 60_000 });
const exec = (sbx: SandboxRecord, command: string, id = toolId(), timeoutMs = 30_000) =>
  runTool(bus, sbx, "bash", { command }, { toolUseId: id, timeoutMs });

const ready = () => untilAnswers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 }));

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
  await startManager(hostA, 1);
  await ready();
});

afterAll(async () => {
  await system.stop();
  await removeTestContainers();
});

test("docker kill of a sandbox is noticed at once and files survive re-provisioning", async () => {
  const session = sessionId();
  const first = await provision(session);
  await exec(first, "echo precious > /workspace/keep.txt");
  await docker.getContainer(first.container_id).kill();
  await waitFor(
    async () => (await request(bus, SANDBOX_RPC.get, { sandbox_id: first.id })).status === "lost",
    { timeoutMs: 10_000 },
  );
  await expect(exec(first, "echo hi")).rejects.toMatchObject({ code: "SANDBOX_LOST" });
  const second = await provision(session);
  expect(second.id).not.toBe(first.id);
  expect(second.workspace_volume).toBe(first.workspace_volume);
  await expect(exec(second, "cat /workspace/keep.txt")).resolves.toMatchObject({
    content: expect.stringContaining("precious"),
  });
});

test("a fork bomb is stopped by the pids limit and the manager survives", async () => {
  const sbx = await provision(sessionId());
  const result = await exec(
    sbx,
    "for i in $(seq 200); do sleep 5 > /dev/null 2>&1 & done 2>&1 | tail -1; echo spawned",
    toolId(),
    60_000,
  );
  expect(result.content).toMatch(/fork|Resource temporarily unavailable|retry/i);
  await expect(exec(sbx, "pkill sleep; echo ok")).resolves.toMatchObject({
    content: expect.stringContaining("ok"),
  });
});

test("a memory hog ends as a lost sandbox (out of memory) and the host is unharmed", async () => {
  const sbx = await provision(sessionId());
  const outcome = await exec(sbx, "python3 -c \"x = bytearray(1024*1024*1024); print('allocated')\"").catch(
    (e: unknown) => e,
  );
  // Either the kernel killed just the process (a non-zero exit) or the whole container (lost, out of memory).
  if (outcome instanceof Error) {
    expect(outcome).toMatchObject({ code: "SANDBOX_LOST" });
    const record = await waitFor(async () => {
      const r = await request(bus, SANDBOX_RPC.get, { sandbox_id: sbx.id });
      return r.status === "lost" ? r : null;
    });
    expect(record.lost_reason).toMatch(/memory|exited/);
  } else {
    expect(outcome).toMatchObject({ is_error: true, content: expect.stringContaining("Killed") });
  }
  expect(JSON.stringify(outcome)).not.toContain("stdout:\\nallocated");
  const other = await provision(sessionId());
  await expect(exec(other, "echo fine")).resolves.toMatchObject({ is_error: false });
});

test("a manager SIGKILLed and restarted re-adopts its running sandboxes", async () => {
  const sbx = await provision(sessionId());
  await exec(sbx, "echo before > /tmp/state");
  await managers[0]!.kill("SIGKILL");
  // No responders, or (while the server has not yet seen the socket close) no reply in time.
  const orphaned = await exec(sbx, "echo nobody", toolId(), 2000).catch((e: { code?: string }) => e);
  expect(["UNAVAILABLE", "TIMEOUT"]).toContain((orphaned as { code?: string }).code);
  await startManager(hostA, 1);
  await ready();
  const after = await waitFor(() => exec(sbx, "cat /tmp/state", toolId(), 5000).catch(() => null), {
    timeoutMs: 30_000,
  }).catch((error: unknown) => {
    throw new Error(`not re-adopted; manager said: ${managers.at(-1)!.output().slice(-2000)}`, {
      cause: error,
    });
  });
  expect(after.content).toContain("before");
});

test("a tool call left running by a SIGKILLed manager is answered by its restart with the one result", async () => {
  const sbx = await provision(sessionId());
  const id = toolId();
  const slow = exec(sbx, "echo run >> /workspace/runs.log; sleep 3; echo first-run-finished", id, 3000).catch(
    (e: unknown) => e,
  );
  await new Promise((r) => setTimeout(r, 500));
  await managers.at(-1)!.kill("SIGKILL");
  await slow;
  await startManager(hostA, 1);
  await ready();
  // Asked again with the same tool_use id (a harness retrying): the sandbox kept the first run's result.
  const again = await waitFor(
    () => exec(sbx, "echo run >> /workspace/runs.log", id, 10_000).catch(() => null),
    {
      timeoutMs: 30_000,
    },
  );
  expect(again).toMatchObject({ is_error: false, content: expect.stringContaining("first-run-finished") });
  const count = await exec(sbx, "wc -l < /workspace/runs.log");
  expect(count.content).toContain("stdout:\n1\n");
});

/** The scans of sandboxes' outputs the newest manager made so far, read from its /metrics. */
async function outputScans(by: "executor" | "find"): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${managerPorts.at(-1)}/metrics`);
  return sumOf(parseMetrics(await res.text()), "corral_sandbox_output_scans_total", { by });
}

test("asks repeated while a tool runs share one scan of its outputs, not one each", async () => {
  const sbx = await provision(sessionId());
  await exec(sbx, "true");
  const before = { executor: await outputScans("executor"), find: await outputScans("find") };
  const id = toolId();
  const first = exec(sbx, "sleep 3; echo done", id);
  // A harness asking again every few seconds, and a replica that lost its lease asking too.
  const asks: Promise<unknown>[] = [];
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 50));
    asks.push(exec(sbx, "sleep 3; echo done", id));
  }
  const results = await Promise.all([first, ...asks]);
  for (const result of results)
    expect(result).toMatchObject({ is_error: false, content: expect.stringContaining("done") });
  // One scan after the run, shared by every ask that came while it ran (not 31), by the idle executor.
  expect((await outputScans("executor")) - before.executor).toBe(1);
  expect((await outputScans("find")) - before.find).toBe(0);
});

/** The `docker exec`s docker saw start in a container between two moments, from its own event log. */
async function execsStarted(containerId: string, since: number): Promise<number> {
  await new Promise((r) => setTimeout(r, 1000)); // docker's events reach its log a moment later
  const events = (await docker.getEvents({
    since: Math.floor(since / 1000),
    until: Math.ceil(Date.now() / 1000),
    filters: { container: [containerId], event: ["exec_start"] },
  })) as unknown as NodeJS.ReadableStream;
  let text = "";
  for await (const chunk of events) text += String(chunk);
  return text.split("\n").filter((line) => line.trim() !== "").length;
}

test("provisioning and tool calls run no docker exec in a sandbox with an executor", async () => {
  const since = Date.now() - 1000;
  const sbx = await provision(sessionId());
  await exec(sbx, "echo one > /mnt/session/outputs/a.txt");
  await exec(sbx, "cat /mnt/session/outputs/a.txt");
  // Its outputs folder comes with the container, its listing and the memory mounts from the executor.
  expect(await execsStarted(sbx.container_id, since)).toBe(0);
});

test("two managers share provisioning, and each sandbox's exec goes to its owner", async () => {
  const hostB = `host-b-${randomBytes(3).toString("hex")}`;
  await startManager(hostB, 0);
  const sandboxes: SandboxRecord[] = [];
  await waitFor(
    async () => {
      sandboxes.push(await provision(sessionId()));
      return new Set(sandboxes.map((s) => s.host)).size === 2;
    },
    { timeoutMs: 60_000 },
  );
  for (const sbx of sandboxes)
    await expect(exec(sbx, "echo $HOSTNAME")).resolves.toMatchObject({ is_error: false });
});

test("deleting a session destroys its sandbox and removes the workspace volume", async () => {
  system.spawn("session-store");
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "a", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, {
    name: `e-${randomBytes(4).toString("hex")}`,
  });
  const session = await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: env.id });
  const sbx = await provision(session.id);
  await exec(sbx, "echo secret > /workspace/left.txt");
  const volumeExists = () =>
    docker
      .getVolume(sbx.workspace_volume)
      .inspect()
      .then(
        () => true,
        () => false,
      );
  expect(await volumeExists()).toBe(true);
  await request(bus, STORE_RPC.sessionsDelete, { session_id: session.id });
  expect(await volumeExists()).toBe(false);
  await expect(docker.getContainer(sbx.container_id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  expect(await request(bus, SANDBOX_RPC.get, { sandbox_id: sbx.id })).toMatchObject({ status: "destroyed" });
});
