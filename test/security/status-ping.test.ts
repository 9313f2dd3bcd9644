import { afterAll, beforeAll, expect, test } from "vitest";
import {
  connectBus,
  gatherServiceStatus,
  probePublish,
  probeSubscribe,
  type Bus,
  type NatsUser,
} from "@corral/bus";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { SUBJECTS } from "@corral/protocol";

// corral.status.ping: only the gateway asks; every service answers, with figures and ids, nothing else.
let nats: NatsServer;
const buses = new Map<NatsUser, Bus>();
const USERS: NatsUser[] = [
  "gateway",
  "session-store",
  "harness",
  "sandbox-manager",
  "credential-proxy",
  "tasks",
];

beforeAll(async () => {
  nats = await startNatsServer({ auth: true });
  for (const user of USERS) buses.set(user, await connectBus(busConfigFor(nats.url, user)));
});

afterAll(async () => {
  for (const bus of buses.values()) await bus.close();
  await nats?.stop();
});

test("only the gateway may send a status ping; services may listen for it, the task user may not", async () => {
  expect(await probePublish(buses.get("gateway")!, SUBJECTS.statusPing)).toBe("allowed");
  for (const user of ["session-store", "harness", "sandbox-manager", "credential-proxy", "tasks"] as const)
    expect(await probePublish(buses.get(user)!, SUBJECTS.statusPing), user).toBe("denied");
  expect(await probeSubscribe(buses.get("harness")!, SUBJECTS.statusPing)).toBe("allowed");
  expect(await probeSubscribe(buses.get("tasks")!, SUBJECTS.statusPing)).toBe("denied");
});

test("every service answers once per connection, with its name and figures only", async () => {
  const answers = await gatherServiceStatus({ windowMs: 500, max: 100 });
  expect(answers.map((a) => a.service).sort()).toEqual(
    ["credential-proxy", "gateway", "harness", "sandbox-manager", "session-store"].sort(),
  );
  for (const a of answers) {
    expect(Object.keys(a).sort()).toEqual(["figures", "instance", "process", "service", "started_at"]);
    for (const value of Object.values(a.figures)) expect(typeof value).toBe("number");
  }
});
