import { afterAll, beforeAll, expect, test } from "vitest";
import { connectBus, probePublish, probeSubscribe, type Bus, type NatsUser } from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { HOST_RPC, SANDBOX_RPC, hostSubject } from "@corral/protocol";

/**
 * The per-host subjects: only a credential-proxy may answer a host's egress config (an impostor would
 * point that host's sandboxes elsewhere), and only sandbox-managers place a provision on a host (a
 * client goes through the placement step and its capacity check). Each refusal is paired with a grant.
 */
let nats: NatsServer;
const buses = new Map<NatsUser, Bus>();
const as = (user: NatsUser) => buses.get(user)!;
const egress = hostSubject(HOST_RPC.egressConfig, "node-1.example.com");
const placed = hostSubject(HOST_RPC.provision, "node-1.example.com");

beforeAll(async () => {
  nats = await startNatsServer({ auth: true });
  for (const user of ["credential-proxy", "sandbox-manager", "harness", "gateway"] as const)
    buses.set(user, await connectBus(busConfigFor(nats.url, user)));
});

afterAll(async () => {
  for (const bus of buses.values()) await bus.close();
  await nats?.stop();
});

test("a host id becomes one subject token", () => {
  expect(egress).toBe("corral.api.egress.config.node-1_example_com");
  expect(placed).toBe("corral.api.sandbox.provision.node-1_example_com");
});

test("only a credential-proxy serves a host's egress config, and only a sandbox-manager asks it", async () => {
  expect(await probeSubscribe(as("credential-proxy"), egress)).toBe("allowed");
  for (const user of ["sandbox-manager", "harness", "gateway"] as const)
    expect(await probeSubscribe(as(user), egress)).toBe("denied");
  expect(await probePublish(as("sandbox-manager"), egress)).toBe("allowed");
  for (const user of ["harness", "gateway"] as const)
    expect(await probePublish(as(user), egress)).toBe("denied");
});

test("only sandbox-managers place a provision on a host; the harness asks the placement step", async () => {
  expect(await probeSubscribe(as("sandbox-manager"), placed)).toBe("allowed");
  expect(await probePublish(as("sandbox-manager"), placed)).toBe("allowed");
  expect(await probePublish(as("harness"), SANDBOX_RPC.provision.subject)).toBe("allowed");
  for (const user of ["harness", "gateway", "credential-proxy"] as const) {
    expect(await probePublish(as(user), placed)).toBe("denied");
    expect(await probeSubscribe(as(user), placed)).toBe("denied");
  }
});
