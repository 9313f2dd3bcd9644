import { afterAll, beforeAll, expect, test } from "vitest";
import { BUCKETS, LeaseRecord, STORE_RPC, newId, type LogAppendRequest } from "@corral/protocol";
import { openTypedBucket, request, requestRaw, type Bucket, type Bus } from "@corral/bus";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import { makeSession, startStore, type StoreHarness } from "../testing.js";

let system: TestSystem;
let bus: Bus;
let store: StoreHarness;
let leases: Bucket<LeaseRecord>;

beforeAll(async () => {
  system = await startSystem("client");
  bus = system.bus;
  store = await startStore(system.nats.url, { taskIntake: false });
  leases = await openTypedBucket(bus, BUCKETS.leases, LeaseRecord);
});

afterAll(async () => {
  await store.close();
  await system.stop();
});

const note = (t: string) => ({
  type: "agent.message" as const,
  content: [{ type: "text" as const, text: t }],
});

/** A session whose lease `holder` holds, and a request for its next batch. */
async function leased(holder = `brain:${newId("event")}`) {
  const session = await makeSession(bus);
  await leases.put(session.id, { holder, expires_at: Date.now() + 60_000 });
  const batch = (expected_seq: number, ...texts: string[]): LogAppendRequest => ({
    log_id: session.id,
    expected_seq,
    events: texts.map(note),
    event_ids: texts.map(() => newId("event")),
    holder,
  });
  return { sessionId: session.id, holder, batch };
}

const positions = async (sessionId: string) =>
  (await request(bus, STORE_RPC.eventsList, { session_id: sessionId, limit: 100 })).data.map((e) => [
    e.seq,
    e.id,
  ]);

test("a batch goes in at the position expected, with the ids the runner chose", async () => {
  const { sessionId, batch } = await leased();
  const first = batch(0, "a", "b");
  const stored = await request(bus, STORE_RPC.logAppend, first);
  expect(stored.events.map((e) => [e.seq, e.id])).toEqual([
    [0, first.event_ids[0]],
    [1, first.event_ids[1]],
  ]);
  expect(await positions(sessionId)).toEqual(stored.events.map((e) => [e.seq, e.id]));
});

test("a request re-sent after its reply was lost gets the stored positions, even once the log moved on", async () => {
  const { sessionId, batch } = await leased();
  const first = batch(0, "a", "b");
  const stored = await request(bus, STORE_RPC.logAppend, first);
  await request(bus, STORE_RPC.logAppend, batch(2, "c"));
  expect((await request(bus, STORE_RPC.logAppend, first)).events).toEqual(stored.events);
  expect(await positions(sessionId)).toHaveLength(3);
});

test("a re-sent request reaching a store replica that never saw the first is still answered once", async () => {
  const { sessionId, batch } = await leased();
  const first = batch(0, "a");
  const stored = await request(bus, STORE_RPC.logAppend, first);
  await store.close();
  store = await startStore(system.nats.url, { taskIntake: false });
  expect((await request(bus, STORE_RPC.logAppend, first)).events).toEqual(stored.events);
  expect(await positions(sessionId)).toHaveLength(1);
});

test("rejects an append whose expected position is stale, storing nothing", async () => {
  const { sessionId, batch } = await leased();
  await request(bus, STORE_RPC.logAppend, batch(0, "a"));
  await expect(request(bus, STORE_RPC.logAppend, batch(0, "late"))).rejects.toMatchObject({
    code: "CONFLICT",
  });
  await expect(request(bus, STORE_RPC.logAppend, batch(5, "ahead"))).rejects.toMatchObject({
    code: "CONFLICT",
  });
  expect(await positions(sessionId)).toHaveLength(1);
});

test("refuses a runner the log's lease does not name, or a log with no lease, storing nothing", async () => {
  const { sessionId, holder, batch } = await leased();
  const expiresAt = Date.now() + 500;
  await leases.put(sessionId, { holder, expires_at: expiresAt });
  await request(bus, STORE_RPC.logAppend, batch(0, "a"));
  // The runner stalled past its lease and another took it over: the one before may no longer write.
  await waitFor(() => Date.now() > expiresAt);
  await leases.put(sessionId, { holder: "brain-2:other", expires_at: Date.now() + 60_000 });
  const stale = batch(1, "stale");
  await expect(request(bus, STORE_RPC.logAppend, stale)).rejects.toMatchObject({ code: "FORBIDDEN" });
  await leases.delete(sessionId);
  await expect(request(bus, STORE_RPC.logAppend, stale)).rejects.toMatchObject({ code: "FORBIDDEN" });
  expect(await positions(sessionId)).toHaveLength(1);
});

test("a request whose ids do not name every event once is refused as invalid", async () => {
  const { batch } = await leased();
  const short = { ...batch(0, "a", "b"), event_ids: [newId("event")] };
  const reply = await requestRaw(bus, STORE_RPC.logAppend.subject, JSON.stringify(short));
  expect(reply).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
  const id = newId("event");
  const twice = { ...batch(0, "a", "b"), event_ids: [id, id] };
  await expect(request(bus, STORE_RPC.logAppend, twice)).rejects.toMatchObject({ code: "INVALID_REQUEST" });
});
