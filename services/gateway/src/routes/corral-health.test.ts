import { afterAll, beforeAll, expect, test } from "vitest";
import { connectBus, type Bus } from "@corral/bus";
import { busConfigFor } from "@corral/testing";
import { startTestStack, type TestStack } from "../testing.js";
import { apiClient, expectError } from "../test-api.js";
import { summarise } from "./corral-health.js";

// GET /v1/corral/health (a Corral extension): every service connection answers a status ping over NATS.
let stack: TestStack;
beforeAll(async () => (stack = await startTestStack()));
afterAll(() => stack.close());

const call = apiClient(() => stack.gw);
const replicasOf = (body: { services: { service: string; replicas: number }[] }, service: string) =>
  body.services.find((s) => s.service === service)?.replicas;

test("names each service with the replicas that answered, and the store's wakes pending", async () => {
  const first = await call("GET", "/v1/corral/health");
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ type: "corral_health", wakes_pending: expect.any(Number) });
  expect(replicasOf(first.body, "gateway")).toBe(1);
  expect(replicasOf(first.body, "session-store")).toBe(1);
  expect(replicasOf(first.body, "harness")).toBe(0);

  // A second store replica connects (as a service of that name): it is counted; gone again, it is not.
  const more: Bus = await connectBus(busConfigFor(stack.nats.url, "session-store"));
  try {
    expect(replicasOf((await call("GET", "/v1/corral/health")).body, "session-store")).toBe(2);
  } finally {
    await more.close();
  }
  expect(replicasOf((await call("GET", "/v1/corral/health")).body, "session-store")).toBe(1);
});

test("needs a key, takes no query, and is in the OpenAPI document as a Corral extension", async () => {
  expectError(
    await call("GET", "/v1/corral/health", undefined, { "x-api-key": "sk-wrong" }),
    401,
    "authentication_error",
  );
  expectError(await call("GET", "/v1/corral/health?verbose=1"), 400, "invalid_request_error");
  const doc = (await call("GET", "/v1/openapi.json")).body;
  expect(doc.paths["/v1/corral/health"].get.summary).toContain("Corral extension");
});

test("figures are counted once per process, summed over processes (the queue's backlog: the largest)", () => {
  const at = (service: string, instance: string, process: string, figures: Record<string, number>) => ({
    service,
    instance,
    process,
    started_at: "2026-01-01T00:00:00Z",
    figures,
  });
  const health = summarise([
    at("sandbox-manager", "a", "p1", { sandboxes_warm: 2, sandboxes_busy: 1, sandboxes_starting: 0 }),
    at("gateway", "b", "p1", { sandboxes_warm: 2, sandboxes_busy: 1, sandboxes_starting: 0 }),
    at("sandbox-manager", "c", "p2", { sandboxes_warm: 3, sandboxes_busy: 4, sandboxes_starting: 1 }),
    at("session-store", "d", "p3", { wakes_pending: 5 }),
    at("session-store", "e", "p4", { wakes_pending: 5 }),
    at("harness", "f", "p5", { sessions_running: 2 }),
    at("harness", "g", "p6", { sessions_running: 3 }),
  ]);
  expect(health.sandboxes).toEqual({ warm: 5, starting: 1, busy: 5 });
  expect(health.wakes_pending).toBe(5);
  expect(health.sessions_running).toBe(5);
  expect(health.services).toContainEqual({ service: "sandbox-manager", replicas: 2 });
  expect(health.services).toContainEqual({ service: "credential-proxy", replicas: 0 });
});
