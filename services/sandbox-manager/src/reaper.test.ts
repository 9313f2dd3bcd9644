import { beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, waitFor } from "@corral/testing";
import { docker, provision, removeTestContainers, runTool, startManager } from "./testing.js";

let bus: Bus;

beforeAll(async () => {
  const system = await startSystem("client");
  const mgr = await startManager(system.nats.url, { idleReapMs: 1000 });
  bus = system.bus;
  return async () => {
    await mgr.close();
    await system.stop();
    await removeTestContainers();
  };
});

test("an idle sandbox is reaped, its workspace volume is kept, and the session gets it back", async () => {
  const session = `sesn_${randomBytes(10).toString("hex")}`;
  const first = await provision(bus, session);
  await runTool(bus, first, "write", { file_path: "kept.txt", content: "still here" });
  await waitFor(
    async () => (await request(bus, SANDBOX_RPC.get, { sandbox_id: first.id })).status === "destroyed",
    { timeoutMs: 15_000 },
  );
  // "destroyed" is recorded once Docker accepted the removal; the container may still be "removing".
  await waitFor(
    async () =>
      docker
        .getContainer(first.container_id)
        .inspect()
        .then(
          () => false,
          (err: { statusCode?: number }) => err.statusCode === 404,
        ),
    { timeoutMs: 15_000 },
  );
  await expect(docker.getVolume(first.workspace_volume).inspect()).resolves.toMatchObject({
    Name: first.workspace_volume,
  });
  const second = await provision(bus, session);
  const read = await runTool(bus, second, "read", { file_path: "kept.txt" });
  expect(read.content).toContain("still here");
});
