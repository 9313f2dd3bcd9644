import { beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { SANDBOX_RPC } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, waitFor } from "@corral/testing";
import { docker, provision, removeTestContainers, RUN_LABEL, startManager } from "./testing.js";

let bus: Bus;
let natsUrl: string;

beforeAll(async () => {
  const system = await startSystem("client");
  bus = system.bus;
  natsUrl = system.nats.url;
  return async () => {
    await system.stop();
    await removeTestContainers();
  };
});

const ours = async (hostId: string) =>
  docker.listContainers({
    all: true,
    filters: { label: [`corral.host=${hostId}`, ...Object.entries(RUN_LABEL).map(([k, v]) => `${k}=${v}`)] },
  });

test("a clean stop with removeOnStop leaves no container of its host, and its sandboxes are recorded lost", async () => {
  const hostId = `stop-${randomBytes(3).toString("hex")}`;
  const manager = await startManager(natsUrl, { hostId, warmPool: 1, removeOnStop: true });
  const sandbox = await provision(bus, `sesn_${randomBytes(10).toString("hex")}`);
  await waitFor(async () => (await ours(hostId)).length >= 2, { timeoutMs: 30_000 });
  await manager.close();
  expect(await ours(hostId)).toEqual([]);
  // The next manager on the host finds nothing to adopt and reports the sandbox lost.
  const next = await startManager(natsUrl, { hostId, warmPool: 0 });
  expect(await request(bus, SANDBOX_RPC.get, { sandbox_id: sandbox.id })).toMatchObject({ status: "lost" });
  await next.close();
});
