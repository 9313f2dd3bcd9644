import { afterAll, beforeAll, expect, test } from "vitest";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, serveHealth, type Bus, type HealthServer } from "./index.js";

let server: NatsServer;
let bus: Bus;
let health: HealthServer;
let dependencyUp = false;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "health-test"));
  const dependency = {
    name: "docker",
    check: async () => {
      if (!dependencyUp) throw new Error("down");
    },
  };
  health = await serveHealth(bus, { host: "127.0.0.1", port: 0, checks: [dependency] });
});

afterAll(async () => {
  await health.close();
  await bus.close();
  await server.stop();
});

const get = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${health.port}${path}`);
  return { status: res.status, body: (await res.json()) as unknown };
};

test("live while connected; ready only when NATS and every dependency answer, saying which does not", async () => {
  expect(await get("/healthz")).toEqual({ status: 200, body: { live: true } });
  dependencyUp = false;
  expect(await get("/readyz")).toEqual({
    status: 503,
    body: { ready: false, checks: { nats: "ok", docker: "down" } },
  });
  dependencyUp = true;
  expect(await get("/readyz")).toEqual({
    status: 200,
    body: { ready: true, checks: { nats: "ok", docker: "ok" } },
  });
  expect((await get("/nothing")).status).toBe(404);
});
