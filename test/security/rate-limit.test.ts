import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { startGateway, startTestStack, type GatewayUnderTest, type TestStack } from "@corral/gateway/testing";

/**
 * Per-key rate limits answer 429 with the API's `rate_limit_error` and `retry-after`; bad-key attempts are
 * limited per client address, and a flood of them costs no key-bucket read each.
 */
let stack: TestStack;
let gw: GatewayUnderTest;

beforeAll(async () => {
  stack = await startTestStack();
  gw = await startGateway(stack.nats.url, {
    limits: { perKey: { perSecond: 0.5, burst: 5 }, badKey: { perSecond: 0.5, burst: 20 } },
  });
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await stack?.close();
});

const get = (key: string, path = "/v1/agents") =>
  fetch(`${gw.url}${path}`, { headers: { "x-api-key": key } });

describe("rate limits", () => {
  test("a key past its limit gets 429 rate_limit_error with retry-after; other keys go on", async () => {
    const { key } = await createApiKey(await openKeyBucket(stack.bus), "busy");
    const statuses: number[] = [];
    let limited: Response | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await get(key);
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.text();
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
    expect(statuses).toContain(429);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await limited!.json()) as { request_id: string };
    expect(body).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(body.request_id).toMatch(/^req_/);
    const { key: other } = await createApiKey(await openKeyBucket(stack.bus), "quiet");
    expect((await get(other)).status).toBe(200);
  });

  test("1,000 bad-key requests are answered (401, then 429) with a bounded number of key-bucket reads", async () => {
    const { key: good } = await createApiKey(await openKeyBucket(stack.bus), "bystander");
    expect((await get(good)).status).toBe(200);
    const before = gw.gateway.keys!.bucketReads;
    const counts = new Map<number, number>();
    for (let round = 0; round < 20; round++) {
      const batch = Array.from({ length: 50 }, () =>
        get(`sk-corral-${randomBytes(16).toString("base64url")}`).then(async (r) => {
          await r.text();
          return r.status;
        }),
      );
      for (const s of await Promise.all(batch)) counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    expect((counts.get(401) ?? 0) + (counts.get(429) ?? 0)).toBe(1000);
    expect(counts.get(429)).toBeGreaterThan(900);
    // Only the attempts within the address's bad-key allowance (20, plus what refilled) reached the bucket.
    expect(gw.gateway.keys!.bucketReads - before).toBeLessThan(100);
    const retry = await get("sk-corral-still-wrong");
    expect(retry.status).toBe(429);
    expect(retry.headers.get("retry-after")).toMatch(/^\d+$/);
    // A key this gateway knows still works from the flooding address.
    expect((await get(good)).status).toBe(200);
  });

  test("the same bad key tried again is answered from memory", async () => {
    const fresh = await startGateway(stack.nats.url, {
      limits: { perKey: { perSecond: 100, burst: 100 }, badKey: { perSecond: 100, burst: 1000 } },
    });
    try {
      const before = fresh.gateway.keys!.bucketReads;
      for (let i = 0; i < 50; i++)
        expect(
          (await fetch(`${fresh.url}/v1/agents`, { headers: { "x-api-key": "sk-corral-nope" } })).status,
        ).toBe(401);
      expect(fresh.gateway.keys!.bucketReads - before).toBe(1);
    } finally {
      await fresh.close();
    }
  });
});
