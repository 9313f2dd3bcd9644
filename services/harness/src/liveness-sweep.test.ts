import { afterAll, beforeAll, expect, test } from "vitest";
import { BUCKETS } from "@corral/protocol";
import { openTypedBucket } from "@corral/bus";
import { Lease } from "./lease.js";
import { eventsUntil, isIdle, newSession, startBrainStack, writerFor, type BrainStack } from "./testing.js";

let stack: BrainStack;

beforeAll(async () => {
  stack = await startBrainStack({ leaseTtlMs: 1000 });
});

afterAll(() => stack.close());

test("a log left running by a dead runner, with no wake anywhere, is woken by the liveness sweep", async () => {
  const sid = await newSession(stack.bus);
  // What a replica that died mid-run leaves: the log running with an open custom tool call (nothing in
  // it asks for a wake) and its lease, expired, in the bucket.
  const writer = await writerFor(stack.bus);
  await writer.append({
    sessionId: sid,
    events: [
      { type: "session.status_running" },
      { type: "agent.custom_tool_use", name: "lookup", input: {} },
    ],
  });
  const leases = await openTypedBucket(stack.bus, BUCKETS.leases, Lease);
  await leases.put(sid, { holder: "dead-replica:0", expires_at: Date.now() - 1000 });
  const events = await eventsUntil(stack.bus, sid, isIdle, 0, 15_000);
  expect(events.map((e) => e.type)).toEqual([
    "session.status_running",
    "agent.custom_tool_use",
    "session.status_rescheduled",
    "session.usage",
    "session.status_idle",
  ]);
  expect(events.at(-1)).toMatchObject({ stop_reason: { type: "requires_action" } });
});
