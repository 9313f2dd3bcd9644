import { expect, test } from "vitest";
import Fastify from "fastify";
import { parseMetrics, renderMetrics, sumOf } from "@corral/metrics";
import { meterHttp } from "./http-metrics.js";

test("requests are counted by route template and status: no id or query from a URL, and a request no route matched is `unmatched`", async () => {
  const app = Fastify();
  meterHttp(app);
  app.get("/v1/things/:thing_id", async (req) => ({ id: (req.params as { thing_id: string }).thing_id }));
  const before = parseMetrics((await renderMetrics()).body);
  expect((await app.inject({ method: "GET", url: "/v1/things/thing_secret1?q=private" })).statusCode).toBe(
    200,
  );
  expect((await app.inject({ method: "GET", url: "/v1/things/thing_secret2" })).statusCode).toBe(200);
  expect((await app.inject({ method: "GET", url: "/v1/nothing/here" })).statusCode).toBe(404);
  expect((await app.inject({ method: "PROPFIND" as "GET", url: "/v1/things/x" })).statusCode).toBe(404);
  const { body } = await renderMetrics();
  const after = parseMetrics(body);
  const moved = (labels: Record<string, string>) =>
    sumOf(after, "corral_gateway_http_requests_total", labels) -
    sumOf(before, "corral_gateway_http_requests_total", labels);
  expect(moved({ method: "GET", route: "/v1/things/:thing_id", status: "200" })).toBe(2);
  expect(moved({ method: "GET", route: "unmatched", status: "404" })).toBe(1);
  expect(moved({ method: "OTHER", route: "unmatched", status: "404" })).toBe(1);
  expect(sumOf(after, "corral_gateway_http_request_seconds_count", { route: "/v1/things/:thing_id" })).toBe(
    2,
  );
  expect(body).not.toContain("secret");
  expect(body).not.toContain("private");
  expect(body).not.toContain("/v1/nothing");
  await app.close();
});
