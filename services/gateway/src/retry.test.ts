import { afterAll, beforeAll, expect, test } from "vitest";
import { startSystem, type TestSystem } from "@corral/testing";
import type { Bus } from "@corral/bus";
import { startStore, makeSession, type StoreHarness } from "@corral/session-store/testing";
import { startGateway, type GatewayUnderTest } from "./testing.js";
import { apiClient, expectError } from "./test-api.js";

// A neighbour restarting is a short delay for a client, not a 503: reads, and sends that carry an
// Idempotency-Key, are tried again until the session-store answers (within GATEWAY_RETRY_MS).
let system: TestSystem;
let store: StoreHarness | null = null;
let gw: GatewayUnderTest;
let bus: Bus;

beforeAll(async () => {
  system = await startSystem("client");
  gw = await startGateway(system.nats.url, { retryMs: 20_000 });
  bus = system.bus;
});

afterAll(async () => {
  await store?.close();
  await gw.close();
  await system.stop();
});

const call = apiClient(() => gw);
const restartStoreIn = (ms: number) =>
  new Promise<void>((resolve) =>
    setTimeout(async () => {
      store = await startStore(system.nats.url, { taskIntake: false });
      resolve();
    }, ms),
  );
const stopStore = async () => {
  await store?.close();
  store = null;
};

test("a read waits for a session-store that is restarting and answers once it is back", async () => {
  expect(store).toBeNull(); // asked while no session-store runs: a 200 means the gateway waited for it
  const [list] = await Promise.all([call("GET", "/v1/agents"), restartStoreIn(800)]);
  expect(list.status).toBe(200);
});

test("a send without an Idempotency-Key is not retried: the client gets 503 at once and may retry", async () => {
  await stopStore();
  // The store comes back well inside the gateway's retry window: a retried send would land (201).
  const [sent] = await Promise.all([
    call("POST", "/v1/agents", { name: "x", model: "m" }),
    restartStoreIn(3000),
  ]);
  expectError(sent, 503, "overloaded_error");
  const agents = await call("GET", "/v1/agents");
  expect(agents.body.data.filter((a: { name: string }) => a.name === "x")).toEqual([]);
  await stopStore();
});

test("a send with an Idempotency-Key is retried until the store is back, and lands once", async () => {
  await restartStoreIn(0);
  const session = await makeSession(bus);
  await stopStore();
  const send = () =>
    call(
      "POST",
      `/v1/sessions/${session.id}/events`,
      { events: [{ type: "user.message", content: [{ type: "text", text: "once" }] }] },
      { "idempotency-key": "retried-send" },
    );
  const [first] = await Promise.all([send(), restartStoreIn(800)]);
  expect(first.status).toBe(200);
  const again = await send();
  expect(again.body.data[0].id).toBe(first.body.data[0].id);
  const history = await call("GET", `/v1/sessions/${session.id}/events?types[]=user.message`);
  expect(history.body.data).toHaveLength(1);
});

test("retrying stops after GATEWAY_RETRY_MS: then the client sees 503", async () => {
  await stopStore();
  const quick = await startGateway(system.nats.url, { retryMs: 500 });
  try {
    const res = await fetch(`${quick.url}/v1/agents`, { headers: { "x-api-key": quick.key } });
    expect(res.status).toBe(503);
  } finally {
    await quick.close();
  }
});
