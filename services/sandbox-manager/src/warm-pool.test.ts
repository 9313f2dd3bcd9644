import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import type { Bus } from "@corral/bus";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import {
  destroySandboxes,
  docker,
  idleWarmContainers,
  provision,
  removeTestContainers,
  runTool,
  startManager,
} from "./testing.js";
import { LABELS } from "./labels.js";

let system: TestSystem;
let bus: Bus;

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
});

afterAll(async () => {
  await system.stop();
  await removeTestContainers();
});

const session = () => `sesn_${randomBytes(10).toString("hex")}`;
const small = { memoryMb: 128, pids: 64 };

test("a burst of provisions grows the pool to the burst, never past its max, and it shrinks to its floor when idle", async () => {
  const mgr = await startManager(system.nats.url, {
    ...small,
    warmPool: 1,
    warmMax: 5,
    warmParallel: 3,
    warmIdleMs: 20_000,
  });
  const handedOut = new Set<string>();
  try {
    await waitFor(async () => (await idleWarmContainers(mgr.config.hostId, handedOut)) === 1, {
      timeoutMs: 30_000,
    });
    const burst = await Promise.all(Array.from({ length: 8 }, () => provision(bus, session())));
    for (const s of burst) handedOut.add(s.container_id);
    let most = 0;
    await waitFor(
      async () => {
        const n = await idleWarmContainers(mgr.config.hostId, handedOut);
        most = Math.max(most, n);
        return n === 5;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    await destroySandboxes(bus, burst);
    await waitFor(
      async () => {
        const n = await idleWarmContainers(mgr.config.hostId, handedOut);
        most = Math.max(most, n);
        return n === 1;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    expect(most).toBe(5);
  } finally {
    await mgr.close();
  }
}, 150_000);

test("concurrent provisions, warm and cold, never share a container, a volume or a sandbox", async () => {
  const mgr = await startManager(system.nats.url, { ...small, warmPool: 4, warmMax: 6, warmParallel: 3 });
  try {
    await waitFor(async () => (await idleWarmContainers(mgr.config.hostId, new Set())) === 4, {
      timeoutMs: 30_000,
    });
    const sessions = Array.from({ length: 12 }, session);
    // Every session asks twice at once: both asks get its one sandbox.
    const records = await Promise.all(sessions.flatMap((s) => [provision(bus, s), provision(bus, s)]));
    for (let i = 0; i < sessions.length; i++) expect(records[2 * i]!.id).toBe(records[2 * i + 1]!.id);
    const mine = records.filter((_, i) => i % 2 === 0);
    for (const key of ["id", "container_id", "workspace_volume"] as const)
      expect(new Set(mine.map((r) => r[key])).size).toBe(sessions.length);
    const labels = await Promise.all(
      mine.map(async (r) => (await docker.getContainer(r.container_id).inspect()).Config.Labels),
    );
    expect(labels.filter((l) => l[LABELS.pool] === "1").length).toBeGreaterThan(0);
    await Promise.all(
      mine.map((r) => runTool(bus, r, "bash", { command: `echo ${r.session_id} >> /workspace/owner` })),
    );
    const owners = await Promise.all(
      mine.map((r) => runTool(bus, r, "bash", { command: "cat /workspace/owner" })),
    );
    // Each workspace holds its own session's line alone.
    owners.forEach((o, i) => expect(o.content.match(/sesn_\w+/g)).toEqual([mine[i]!.session_id]));
    await destroySandboxes(bus, mine);
  } finally {
    await mgr.close();
  }
}, 150_000);
