import { afterAll, beforeAll, expect, test } from "vitest";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC, sandboxSubject } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, type TestSystem } from "@corral/testing";
import {
  docker,
  provision,
  removeTestContainers,
  runTool,
  startManager,
} from "@corral/sandbox-manager/testing";

// Attack: fill the host's disk through /workspace. With SANDBOX_DISK_MB each workspace is a volume of
// that size: writing past it fails inside the sandbox with ENOSPC and the sandbox stays usable.
const DISK_MB = 300;

let system: TestSystem;
let bus: Bus;
let mgr: Awaited<ReturnType<typeof startManager>>;

const sessionId = () => `sesn_${randomBytes(10).toString("hex")}`;
const loopDevices = () => execFileSync("losetup", ["--list", "--noheadings", "-O", "BACK-FILE"]).toString();

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
  mgr = await startManager(system.nats.url, { diskMb: DISK_MB });
}, 120_000);

afterAll(async () => {
  await mgr.close();
  await system.stop();
  await removeTestContainers();
});

test("writing more than the workspace's size fails with ENOSPC and the session goes on", async () => {
  const sbx = await provision(bus, sessionId());
  const full = await runTool(bus, sbx, "bash", { command: "head -c 400M /dev/zero > /workspace/big" });
  expect(full).toMatchObject({ is_error: true, content: expect.stringContaining("No space left on device") });
  const after = await runTool(bus, sbx, "bash", { command: "rm /workspace/big && echo room > f && cat f" });
  expect(after).toMatchObject({ is_error: false, content: expect.stringContaining("room") });
  const volume = await docker.getVolume(sbx.workspace_volume).inspect();
  expect(volume.Options).toMatchObject({ type: "ext4" });
  expect(loopDevices()).toContain(sbx.workspace_volume);
  await request(
    bus,
    SANDBOX_RPC.destroy,
    { sandbox_id: sbx.id, remove_workspace: true },
    { subject: sandboxSubject(sbx.id, "destroy") },
  );
  expect(loopDevices()).not.toContain(sbx.workspace_volume);
}, 180_000);

test("an environment's disk_mb bounds its sandbox's workspace on a host without a default", async () => {
  const unbounded = await startManager(system.nats.url, { diskMb: null });
  await mgr.close();
  try {
    const sbx = await request(
      bus,
      SANDBOX_RPC.provision,
      { session_id: sessionId(), spec: { resources: { disk_mb: 256 } } },
      { timeoutMs: 60_000 },
    );
    const full = await runTool(bus, sbx, "bash", { command: "head -c 300M /dev/zero > /workspace/big" });
    expect(full).toMatchObject({
      is_error: true,
      content: expect.stringContaining("No space left on device"),
    });
    expect(loopDevices()).toContain(sbx.workspace_volume);
  } finally {
    await unbounded.close();
    mgr = await startManager(system.nats.url, { diskMb: DISK_MB });
  }
}, 180_000);
