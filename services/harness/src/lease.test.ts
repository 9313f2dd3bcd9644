import { afterAll, beforeAll, expect, test } from "vitest";
import { BUCKETS } from "@corral/protocol";
import { openResilientBucket, openTypedBucket } from "@corral/bus";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import { createLeases, Lease } from "./lease.js";
import { createOutageWindow } from "./outage-window.js";

let system: TestSystem;

beforeAll(async () => {
  system = await startSystem("lease-test");
});

afterAll(async () => {
  await system.stop();
});

const timings = { ttlMs: 1_000, heartbeatMs: 250, pauseMs: 30_000 };

test("a lease whose renewals fail while NATS is away pauses, then is renewed at its revision and held again", async () => {
  const bucket = await openResilientBucket(system.bus, BUCKETS.leases, Lease, {
    deadlineMs: timings.pauseMs,
  });
  const leases = createLeases(bucket, "holder-a", timings);
  const lease = (await leases.acquire("sesn_pausedlease0000000000000"))!;
  expect(lease.held()).toBe(true);
  // Down for three TTLs: every renewal in that time fails, and the lease is no longer certainly held.
  const restart = system.nats.restart(3_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(lease.held()).toBe(false);
  await restart;
  expect(await lease.regained()).toBe(true);
  expect(lease.lost.aborted).toBe(false);
  const steady = await openTypedBucket(system.bus, BUCKETS.leases, Lease);
  expect((await steady.get("sesn_pausedlease0000000000000"))?.value.holder).toBe("holder-a");
  await lease.release();
});

test("a lease another holder took is lost: its run is told so and does not wait", async () => {
  const bucket = await openResilientBucket(system.bus, BUCKETS.leases, Lease, {
    deadlineMs: timings.pauseMs,
  });
  const lease = (await createLeases(bucket, "holder-a", timings).acquire("sesn_takenlease00000000000000"))!;
  const other = await openTypedBucket(system.bus, BUCKETS.leases, Lease);
  const current = (await other.get("sesn_takenlease00000000000000"))!;
  const taken = { holder: "holder-b", expires_at: Date.now() + 60_000 };
  expect(await other.replace("sesn_takenlease00000000000000", taken, current.revision)).not.toBeNull();
  await waitFor(() => lease.lost.aborted, { timeoutMs: 10_000, message: "the lease was not given up" });
  expect(lease.held()).toBe(false);
  expect(await lease.regained()).toBe(false);
  await lease.release();
  expect((await other.get("sesn_takenlease00000000000000"))?.value.holder).toBe("holder-b");
});

test("right after the bucket was away, another holder's expired lease is not taken over; later it is", async () => {
  let now = Date.now();
  const outage = createOutageWindow(5_000, () => now);
  const bucket = await openResilientBucket(system.bus, BUCKETS.leases, Lease, { deadlineMs: 10_000 });
  // holder-a's lease expired while the bucket was away: holder-a may be a paused run about to renew.
  await bucket.put("sesn_pausedholder000000000000", { holder: "holder-a", expires_at: Date.now() - 1_000 });
  outage.noteTrouble();
  const leases = createLeases(bucket, "holder-b", timings, undefined, outage);
  expect(await leases.acquire("sesn_pausedholder000000000000")).toBeNull();
  now += 5_000; // holder-a had its chance and did not renew: it is gone
  const taken = await leases.acquire("sesn_pausedholder000000000000");
  expect(taken?.held()).toBe(true);
  expect((await bucket.get("sesn_pausedholder000000000000"))?.value.holder).toBe("holder-b");
  await taken!.release();
});
