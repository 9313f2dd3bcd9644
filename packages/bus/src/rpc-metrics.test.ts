import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import { CorralError, defineRpc } from "@corral/protocol";
import { parseMetrics, sumOf } from "@corral/metrics";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, request, serve, serveHealth, type Bus, type HealthServer } from "./index.js";

let server: NatsServer;
let bus: Bus;
let health: HealthServer;

const Lookup = defineRpc(
  "test.metrics.*.lookup",
  z.object({ key: z.string() }),
  z.object({ found: z.string() }),
);

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "rpc-metrics-test"));
  serve(bus, Lookup, async ({ key }) => {
    if (key === "absent") throw new CorralError("NOT_FOUND", "no such key");
    return { found: key };
  });
  health = await serveHealth(bus, { host: "127.0.0.1", port: 0, checks: [] });
});

afterAll(async () => {
  await health.close();
  await bus.close();
  await server.stop();
});

const scrape = async () => {
  const res = await fetch(`http://127.0.0.1:${health.port}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return parseMetrics(await res.text());
};

test("every request served is timed under its subject template and reply code, whatever its concrete subject", async () => {
  const served = "corral_rpc_served_seconds_count";
  const before = await scrape();
  await request(bus, Lookup, { key: "a" }, { subject: "test.metrics.sesn_1.lookup" });
  await request(bus, Lookup, { key: "b" }, { subject: "test.metrics.sesn_2.lookup" });
  await expect(
    request(bus, Lookup, { key: "absent" }, { subject: "test.metrics.sesn_3.lookup" }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  const after = await scrape();
  const moved = (labels: Record<string, string>) =>
    sumOf(after, served, labels) - sumOf(before, served, labels);
  expect(moved({ subject: Lookup.subject, code: "OK" })).toBe(2);
  expect(moved({ subject: Lookup.subject, code: "NOT_FOUND" })).toBe(1);
  expect(after.some((s) => s.name === served && s.labels.subject?.includes("sesn_"))).toBe(false);
});
