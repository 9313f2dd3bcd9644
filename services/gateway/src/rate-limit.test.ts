import { describe, expect, test } from "vitest";
import { createRateLimiter } from "./rate-limit.js";
import { createMissCache } from "./miss-cache.js";
import { gatewayConfigFromEnv } from "./config.js";

describe("rate limiter", () => {
  test("a burst passes, the next request waits, other ids are not touched", () => {
    const limiter = createRateLimiter({ perSecond: 0.25, burst: 3 });
    expect([limiter.take("a"), limiter.take("a"), limiter.take("a")]).toEqual([0, 0, 0]);
    expect(limiter.peek("a")).toBeGreaterThanOrEqual(1);
    expect(limiter.take("a")).toBeGreaterThanOrEqual(1);
    expect(limiter.take("a")).toBeLessThanOrEqual(4);
    expect(limiter.take("b")).toBe(0);
  });

  test("holds at most maxIds ids: the least recently used is forgotten", () => {
    const limiter = createRateLimiter({ perSecond: 0.001, burst: 1 }, 2);
    limiter.take("a");
    limiter.take("b");
    limiter.take("c");
    expect(limiter.peek("a")).toBe(0);
    expect(limiter.peek("c")).toBeGreaterThan(0);
  });
});

describe("miss cache", () => {
  test("remembers at most maxEntries keys", () => {
    const misses = createMissCache(2, 60_000);
    misses.add("a");
    misses.add("b");
    misses.add("c");
    expect([misses.has("a"), misses.has("b"), misses.has("c")]).toEqual([false, true, true]);
  });
});

describe("limit settings", () => {
  test("come from the environment; a bad value stops the start with a clear error", () => {
    const config = gatewayConfigFromEnv({ GATEWAY_KEY_RATE_PER_SEC: "7", GATEWAY_BAD_KEY_RATE_BURST: "9" });
    expect(config.limits).toMatchObject({ perKey: { perSecond: 7 }, badKey: { burst: 9 } });
    expect(() => gatewayConfigFromEnv({ GATEWAY_KEY_RATE_BURST: "lots" })).toThrow(/GATEWAY_KEY_RATE_BURST/);
    expect(() => gatewayConfigFromEnv({ GATEWAY_BAD_KEY_RATE_PER_SEC: "0" })).toThrow(/positive/);
  });
});
