import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  connectBus,
  openTypedBucket,
  probeOperation,
  probePublish,
  probeSubscribe,
  requestRaw,
  type Bus,
  type NatsUser,
} from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import {
  BUCKETS,
  HOST_RPC,
  PROJECTOR_CONSUMER,
  STORE_RPC,
  STREAMS,
  SUBJECTS,
  VAULT_RPC,
  hostSubject,
} from "@corral/protocol";
import { z } from "zod";

/**
 * The server, configured the way `corral up` configures it, refuses what a user's role does not need.
 * Every refusal is paired with something the same user may do, so a probe that always said "denied"
 * would fail here.
 */
let nats: NatsServer;
const buses = new Map<NatsUser, Bus>();
const as = (user: NatsUser) => buses.get(user)!;
const openRaw = (bus: Bus, bucket: (typeof BUCKETS)[keyof typeof BUCKETS]) =>
  probeOperation(() => openTypedBucket(bus, bucket, z.unknown()));

beforeAll(async () => {
  nats = await startNatsServer({ auth: true });
  // The owners create their buckets and streams first, as they do when the stack starts.
  const users: NatsUser[] = [
    "admin",
    "session-store",
    "harness",
    "gateway",
    "credential-proxy",
    "sandbox-manager",
  ];
  for (const user of [...users, "tasks" as const])
    buses.set(user, await connectBus(busConfigFor(nats.url, user)));
  for (const [user, bucket] of [
    ["credential-proxy", BUCKETS.secrets],
    ["credential-proxy", BUCKETS.vault],
    ["gateway", BUCKETS.apiKeys],
    ["sandbox-manager", BUCKETS.sandboxes],
    ["harness", BUCKETS.leases],
  ] as const) {
    expect(await openRaw(as(user), bucket)).toBe("allowed");
  }
});

afterAll(async () => {
  for (const bus of buses.values()) await bus.close();
  await nats?.stop();
});

test("a client without a user is refused at connect", async () => {
  await expect(
    connectBus({ servers: nats.url, name: "anonymous", waitOnFirstConnect: false }),
  ).rejects.toThrow(/authoriz/i);
});

describe("the gateway", () => {
  test("may not purge the session log, read the vault or secrets, or write a session log", async () => {
    expect(await probePublish(as("gateway"), `$JS.API.STREAM.PURGE.${STREAMS.sessions}`)).toBe("denied");
    expect(await probePublish(as("gateway"), `$JS.API.STREAM.DELETE.${STREAMS.sessions}`)).toBe("denied");
    expect(await openRaw(as("gateway"), BUCKETS.secrets)).toBe("denied");
    expect(await openRaw(as("gateway"), BUCKETS.vault)).toBe("denied");
    expect(await probePublish(as("gateway"), SUBJECTS.log("sesn_forged"))).toBe("denied");
    expect(await probePublish(as("gateway"), SUBJECTS.delta("sesn_forged"))).toBe("denied");
  });
  test("may ask the store and the vault and follow deltas", async () => {
    expect(await probePublish(as("gateway"), STORE_RPC.sessionsGet.subject)).toBe("allowed");
    expect(await probePublish(as("gateway"), VAULT_RPC.vaultsGet.subject)).toBe("allowed");
    expect(await probeSubscribe(as("gateway"), SUBJECTS.delta("*"))).toBe("allowed");
  });
});

describe("the harness", () => {
  test("may not read secrets or keys, write a session log, or answer store requests", async () => {
    expect(await openRaw(as("harness"), BUCKETS.secrets)).toBe("denied");
    expect(await openRaw(as("harness"), BUCKETS.apiKeys)).toBe("denied");
    expect(await probePublish(as("harness"), SUBJECTS.log("sesn_forged"))).toBe("denied");
    expect(await probePublish(as("harness"), `$KV.${BUCKETS.sandboxes}.sbx_x`)).toBe("denied");
    expect(await probeSubscribe(as("harness"), STORE_RPC.sessionsCreate.subject)).toBe("denied");
  });
  test("may publish deltas and sweep wakes and call the sandbox-manager", async () => {
    expect(await probePublish(as("harness"), SUBJECTS.delta("sesn_x"))).toBe("allowed");
    expect(await probePublish(as("harness"), "corral.sandbox.sbx_x.exec")).toBe("allowed");
  });
});

describe("the credential-proxy", () => {
  test("may not mint an API key, delete a session, or read another service's replies", async () => {
    expect(await probePublish(as("credential-proxy"), `$KV.${BUCKETS.apiKeys}.key_forged`)).toBe("denied");
    expect(await openRaw(as("credential-proxy"), BUCKETS.apiKeys)).toBe("denied");
    expect(await probePublish(as("credential-proxy"), STORE_RPC.sessionsDelete.subject)).toBe("denied");
    expect(await probeSubscribe(as("credential-proxy"), "_INBOX_gateway.>")).toBe("denied");
  });
  test("may read sandbox records, write secrets and append audit events", async () => {
    expect(await openRaw(as("credential-proxy"), BUCKETS.sandboxes)).toBe("allowed");
    expect(await probePublish(as("credential-proxy"), `$KV.${BUCKETS.secrets}.s_1`)).toBe("allowed");
    expect(await probePublish(as("credential-proxy"), STORE_RPC.eventsAppend.subject)).toBe("allowed");
  });
});

describe("the sandbox-manager", () => {
  test("may not read secrets, the vault or keys, or call the store", async () => {
    expect(await openRaw(as("sandbox-manager"), BUCKETS.secrets)).toBe("denied");
    expect(await openRaw(as("sandbox-manager"), BUCKETS.vault)).toBe("denied");
    expect(await openRaw(as("sandbox-manager"), BUCKETS.apiKeys)).toBe("denied");
    expect(await probePublish(as("sandbox-manager"), STORE_RPC.eventsAppend.subject)).toBe("denied");
    expect(await probePublish(as("sandbox-manager"), VAULT_RPC.credentialsCreate.subject)).toBe("denied");
  });
  test("may write its own buckets and ask for the egress config", async () => {
    expect(await probePublish(as("sandbox-manager"), `$KV.${BUCKETS.toolLedger}.k`)).toBe("allowed");
    const egress = hostSubject(HOST_RPC.egressConfig, "host-1");
    expect(await probePublish(as("sandbox-manager"), egress)).toBe("allowed");
    // The deployment-wide subject any proxy answered is gone: a host's sandboxes ask their own host.
    expect(await probePublish(as("sandbox-manager"), "corral.api.egress.config")).toBe("denied");
  });
});

describe("the session-store", () => {
  test("may not read secrets, the vault or keys, or answer vault requests", async () => {
    expect(await openRaw(as("session-store"), BUCKETS.secrets)).toBe("denied");
    expect(await openRaw(as("session-store"), BUCKETS.apiKeys)).toBe("denied");
    expect(await probeSubscribe(as("session-store"), VAULT_RPC.credentialsCreate.subject)).toBe("denied");
    expect(await probePublish(as("session-store"), `$KV.${BUCKETS.secrets}.s_1`)).toBe("denied");
  });
  test("is the one that may write session logs and own the streams", async () => {
    expect(await probePublish(as("session-store"), SUBJECTS.log("sesn_x"))).toBe("allowed");
    expect(await probePublish(as("session-store"), `$JS.API.STREAM.UPDATE.${STREAMS.sessions}`)).toBe(
      "allowed",
    );
  });
  test("may settle its projector's messages by grant, not only as replies (which the server stops tracking under load)", async () => {
    const ack = `$JS.ACK.${STREAMS.sessions}.${PROJECTOR_CONSUMER}.1.1.1.1.1`;
    expect(await probePublish(as("session-store"), ack)).toBe("allowed");
    expect(await probePublish(as("harness"), ack)).toBe("denied");
  });
});

describe("a task publisher (any language, password)", () => {
  test("may submit tasks and read a task's progress", async () => {
    expect(await probePublish(as("tasks"), SUBJECTS.tasksSubmit)).toBe("allowed");
    expect(await probePublish(as("tasks"), STORE_RPC.tasksGet.subject)).toBe("allowed");
    expect(await probePublish(as("tasks"), STORE_RPC.eventsList.subject)).toBe("allowed");
  });
  test("may do nothing else", async () => {
    expect(await probePublish(as("tasks"), STORE_RPC.sessionsCreate.subject)).toBe("denied");
    expect(await probePublish(as("tasks"), STORE_RPC.sessionsDelete.subject)).toBe("denied");
    expect(await probePublish(as("tasks"), SUBJECTS.wake("sesn_x"))).toBe("denied");
    expect(await probePublish(as("tasks"), `$KV.${BUCKETS.apiKeys}.key_forged`)).toBe("denied");
    expect(await probeSubscribe(as("tasks"), SUBJECTS.delta("*"))).toBe("denied");
    expect(await probeSubscribe(as("tasks"), `${SUBJECTS.tasksSubmit}`)).toBe("denied");
    expect(await probePublish(as("tasks"), `$JS.API.STREAM.PURGE.${STREAMS.tasks}`)).toBe("denied");
  });
  test("a refused request fails as refused (no reply awaited)", async () => {
    const reply = await probeOperation(() => requestRaw(as("tasks"), STORE_RPC.sessionsDelete.subject, "{}"));
    expect(reply).toBe("denied");
  });
});

test("a reader may create a bucket it reads if it starts first, and still may not write it", async () => {
  expect(await openRaw(as("gateway"), BUCKETS.logIndex)).toBe("allowed");
  expect(await probePublish(as("gateway"), `$KV.${BUCKETS.logIndex}.sesn_x`)).toBe("denied");
  expect(await probePublish(as("session-store"), `$KV.${BUCKETS.logIndex}.sesn_x`)).toBe("allowed");
});

test("only services that record what they did may append events: not the gateway, not a task publisher", async () => {
  expect(await probePublish(as("gateway"), STORE_RPC.eventsAppend.subject)).toBe("denied");
  expect(await probePublish(as("tasks"), STORE_RPC.eventsAppend.subject)).toBe("denied");
  expect(await probePublish(as("harness"), STORE_RPC.eventsAppend.subject)).toBe("allowed");
  expect(await probePublish(as("harness"), STORE_RPC.sessionsDelete.subject)).toBe("denied");
});

test("the session-store may ask the vault only whether a vault is there, never for credentials", async () => {
  expect(await probePublish(as("session-store"), VAULT_RPC.vaultsGet.subject)).toBe("allowed");
  expect(await probePublish(as("session-store"), VAULT_RPC.credentialsGet.subject)).toBe("denied");
  expect(await probePublish(as("session-store"), VAULT_RPC.credentialsCreate.subject)).toBe("denied");
});
