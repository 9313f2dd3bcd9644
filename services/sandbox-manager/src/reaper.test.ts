import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC, sandboxSubject } from "@corral/protocol";
import { connectBus, request, type Bus } from "@corral/bus";
import { startNatsServer, waitFor, type NatsServer } from "@corral/testing";
import { docker, removeTestContainers, startManager } from "./testing.js";

let nats: NatsServer;
let mgr: Awaited<ReturnType<typeof startManager>>;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  mgr = await startManager(nats.url, { idleReapMs: 1000 });
  bus = await connectBus({ servers: nats.url, name: "client" });
});

afterAll(async () => {
  await bus.close();
  await mgr.close();
  await removeTestContainers();
  await nats.stop();
});

test("an idle sandbox is reaped, its workspace volume is kept, and the session gets it back", async () => {
  const session = `sesn_${randomBytes(10).toString("hex")}`;
  const first = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: session, spec: {} },
    { timeoutMs: 60_000 },
  );
  await request(
    bus,
    SANDBOX_RPC.execute,
    {
      sandbox_id: first.id,
      tool_use_id: `toolu_${randomBytes(6).toString("hex")}`,
      name: "write",
      input: { file_path: "kept.txt", content: "still here" },
    },
    { subject: sandboxSubject(first.id, "exec") },
  );
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
  const second = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: session, spec: {} },
    { timeoutMs: 60_000 },
  );
  const read = await request(
    bus,
    SANDBOX_RPC.execute,
    {
      sandbox_id: second.id,
      tool_use_id: `toolu_${randomBytes(6).toString("hex")}`,
      name: "read",
      input: { file_path: "kept.txt" },
    },
    { subject: sandboxSubject(second.id, "exec") },
  );
  expect(read.content).toContain("still here");
});
