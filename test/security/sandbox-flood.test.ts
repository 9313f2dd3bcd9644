import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { SANDBOX_RPC, type SandboxRecord } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, untilAnswers, type ServiceProcess, type TestSystem } from "@corral/testing";
import { removeTestContainers, runTool, RUN_LABEL } from "@corral/sandbox-manager/testing";

// Attack: one sandbox writes tens of MB without a newline, through its tool's stdout and straight into the
// executor's own stdout (the channel to the manager). The manager must neither slow other sessions' tools
// nor buffer the flood: its peak memory stays under a cap, whatever the flood's size.
const MANAGER_PEAK_RSS_CAP_MB = 300;
const FLOOD = "head -c 50000000 /dev/zero | tr '\\0' a";

let system: TestSystem;
let bus: Bus;
let manager: ServiceProcess;

const toolId = () => `toolu_${randomBytes(8).toString("hex")}`;
const sessionId = () => `sesn_${randomBytes(10).toString("hex")}`;
const provision = (session: string) =>
  request(bus, SANDBOX_RPC.provision, { session_id: session, spec: {} }, { timeoutMs: 60_000 });
const bash = (sbx: SandboxRecord, command: string) =>
  runTool(bus, sbx, "bash", { command }, { toolUseId: toolId(), timeoutMs: 120_000 });

/** The manager process's peak resident memory so far, in MB. */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) / 1024;
}

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
  manager = system.spawn("sandbox-manager", {
    SANDBOX_WARM_POOL: "0",
    SANDBOX_NETWORK: "corral-sandboxes-test",
    SANDBOX_MEMORY_MB: "256",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
  });
  await untilAnswers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 }));
}, 120_000);

afterAll(async () => {
  await system.stop();
  await removeTestContainers();
});

/** Runs `count` small tools one after another in `sbx`, all while `during` is under way. */
async function smallToolsDuring(sbx: SandboxRecord, during: Promise<unknown>, count = 20) {
  let done = false;
  void during.finally(() => (done = true)).catch(() => undefined);
  const results = [];
  for (let i = 0; i < count || !done; i++) results.push(await bash(sbx, `echo small-${i}`));
  return results;
}

test("a flood on a tool's stdout comes back truncated with a note; other sandboxes are served", async () => {
  const [flooder, neighbour] = await Promise.all([provision(sessionId()), provision(sessionId())]);
  const flood = bash(flooder, FLOOD);
  const results = await smallToolsDuring(neighbour, flood);
  expect(results.every((r, i) => !r.is_error && r.content.includes(`small-${i}`))).toBe(true);
  const flooded = await flood;
  expect(flooded.content).toMatch(/\[output truncated: \d+ of 500000\d\d bytes shown\]$/);
  expect(Buffer.byteLength(flooded.content)).toBeLessThan(200 * 1024);
  expect(peakRssMb(manager.child.pid!)).toBeLessThan(MANAGER_PEAK_RSS_CAP_MB);
}, 180_000);

test("a flood into the executor's own stdout breaks only that sandbox's channel", async () => {
  const [flooder, neighbour] = await Promise.all([provision(sessionId()), provision(sessionId())]);
  const pid = await bash(flooder, "pgrep -f corral_exec.py | head -1");
  const executorPid = /stdout:\n(\d+)/.exec(pid.content)?.[1];
  expect(executorPid).toBeDefined();
  const flood = bash(flooder, `${FLOOD} > /proc/${executorPid}/fd/1`);
  const settled = flood.then(
    (r) => r,
    (e: unknown) => e,
  );
  const results = await smallToolsDuring(neighbour, settled);
  expect(results.every((r, i) => !r.is_error && r.content.includes(`small-${i}`))).toBe(true);
  await expect(flood).rejects.toMatchObject({ code: "SANDBOX_LOST" });
  const record = await request(bus, SANDBOX_RPC.get, { sandbox_id: flooder.id });
  expect(record).toMatchObject({ status: "lost", lost_reason: expect.stringContaining("frame over") });
  expect(peakRssMb(manager.child.pid!)).toBeLessThan(MANAGER_PEAK_RSS_CAP_MB);
}, 180_000);
