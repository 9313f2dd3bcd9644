import { expect, test } from "vitest";
import { DEFAULT_HEALTH_PORT_BASE, healthPortBaseFrom, healthPorts, metricsLines } from "./health-ports.js";

test("each service gets its own health port from the base, in start order, and the banner names each /metrics", () => {
  const ports = healthPorts(healthPortBaseFrom("9600"));
  expect(ports).toEqual({
    "session-store": 9600,
    "credential-proxy": 9601,
    "sandbox-manager": 9602,
    harness: 9603,
    gateway: 9604,
  });
  const lines = metricsLines(ports);
  expect(lines).toHaveLength(5);
  expect(lines[0]).toBe("  metrics:   session-store http://127.0.0.1:9600/metrics");
  expect(lines[4]).toContain("gateway http://127.0.0.1:9604/metrics");
});

test("unset is the default base, off is none, and anything else is a clear error", () => {
  expect(healthPortBaseFrom(undefined)).toBe(DEFAULT_HEALTH_PORT_BASE);
  expect(healthPorts(healthPortBaseFrom("off"))).toEqual({});
  expect(metricsLines({})).toEqual(["  metrics:   off (CORRAL_HEALTH_PORT_BASE=off)"]);
  expect(() => healthPortBaseFrom("65534")).toThrow(/CORRAL_HEALTH_PORT_BASE/);
  expect(() => healthPortBaseFrom("lots")).toThrow(/CORRAL_HEALTH_PORT_BASE/);
});
