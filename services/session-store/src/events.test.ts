import { afterAll, beforeAll, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { connectBus, createLogWriter, openSessionLog, request, type Bus } from "@corral/bus";
import { startNatsServer, waitFor, type NatsServer } from "@corral/testing";
import { makeSession, startStore, text, type StoreHarness } from "./testing.js";

let server: NatsServer;
let store: StoreHarness;
let bus: Bus;

beforeAll(async () => {
  server = await startNatsServer();
  store = await startStore(server.url, { taskIntake: false });
  bus = await connectBus({ servers: server.url, name: "client" });
});

afterAll(async () => {
  await bus.close();
  await store.close();
  await server.stop();
});

test("a client may send only user events; internal appends may write any event", async () => {
  const session = await makeSession(bus);
  await expect(
    request(bus, STORE_RPC.eventsSend, {
      session_id: session.id,
      events: [{ type: "agent.message", content: [{ type: "text", text: "spoof" }] }] as never,
    }),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
  const sent = await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("hi"), { type: "user.interrupt" }],
  });
  expect(sent.events.map((e) => [e.type, e.seq])).toEqual([
    ["user.message", 0],
    ["user.interrupt", 1],
  ]);
  const list = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(list.data.length).toBe(2);
});

test("a malformed event in a batch rejects the whole batch and nothing is stored", async () => {
  const session = await makeSession(bus);
  await request(bus, STORE_RPC.eventsSend, { session_id: session.id, events: [text("kept")] });
  const raw = JSON.stringify({
    session_id: session.id,
    events: [text("ok"), { type: "user.message", content: "not blocks" }],
  });
  const reply = await bus.nc.request(STORE_RPC.eventsSend.subject, new TextEncoder().encode(raw));
  expect(reply.json()).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
  const list = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(list.data.map((e) => e.seq)).toEqual([0]);
});

test("a retried append with the same idempotency key is a no-op that returns the first result", async () => {
  const session = await makeSession(bus);
  const first = await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("once")],
    idempotency_key: "k1",
  });
  await request(bus, STORE_RPC.eventsSend, { session_id: session.id, events: [text("other")] });
  const again = await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("once")],
    idempotency_key: "k1",
  });
  expect(again.events).toEqual(first.events);
  const list = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(
    list.data.map((e) =>
      e.type === "user.message" && e.content[0]?.type === "text" ? e.content[0].text : "",
    ),
  ).toEqual(["once", "other"]);
});

test("an append whose expected position is stale is a CONFLICT and changes nothing", async () => {
  const session = await makeSession(bus);
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [text("a")],
    expected_seq: 0,
  });
  await expect(
    request(bus, STORE_RPC.eventsAppend, { session_id: session.id, events: [text("b")], expected_seq: 0 }),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  await expect(
    request(bus, STORE_RPC.eventsAppend, {
      session_id: session.id,
      events: [text("b")],
      expected_seq: 0,
      idempotency_key: "fresh",
    }),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [text("c")],
    expected_seq: 1,
  });
  const list = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(list.data.map((e) => e.seq)).toEqual([0, 1]);
});

test("appends to an unknown or archived session are refused", async () => {
  await expect(
    request(bus, STORE_RPC.eventsSend, { session_id: "sesn_000000000000000000000000", events: [text("x")] }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  const session = await makeSession(bus);
  await request(bus, STORE_RPC.sessionsArchive, { session_id: session.id });
  await expect(
    request(bus, STORE_RPC.eventsSend, { session_id: session.id, events: [text("x")] }),
  ).rejects.toMatchObject({ code: "ARCHIVED" });
});

test("list pages by position in both directions and filters by type", async () => {
  const session = await makeSession(bus);
  for (let i = 0; i < 10; i++) {
    await request(bus, STORE_RPC.eventsAppend, {
      session_id: session.id,
      events: [text(`m${i}`), { type: "agent.message", content: [{ type: "text", text: `a${i}` }] }],
    });
  }
  const page1 = await request(bus, STORE_RPC.eventsList, { session_id: session.id, limit: 7 });
  expect(page1.data.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  expect(page1.next_from).toBe(7);
  const last = await request(bus, STORE_RPC.eventsList, { session_id: session.id, from: 15, limit: 10 });
  expect(last.data.map((e) => e.seq)).toEqual([15, 16, 17, 18, 19]);
  expect(last.next_from).toBeNull();
  const desc = await request(bus, STORE_RPC.eventsList, { session_id: session.id, order: "desc", limit: 3 });
  expect(desc.data.map((e) => e.seq)).toEqual([19, 18, 17]);
  expect(desc.next_from).toBe(16);
  const agents = await request(bus, STORE_RPC.eventsList, {
    session_id: session.id,
    types: ["agent.message"],
    limit: 3,
    from: 4,
  });
  expect(agents.data.map((e) => e.seq)).toEqual([5, 7, 9]);
  await expect(
    request(bus, STORE_RPC.eventsList, { session_id: session.id, types: ["no.such_type"] as never }),
  ).rejects.toMatchObject({ code: "INVALID_REQUEST" });
});

test("a user event publishes one wake per event; agent events publish none", async () => {
  const session = await makeSession(bus);
  const sent = await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("wake up")],
  });
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [{ type: "agent.message", content: [{ type: "text", text: "x" }] }],
  });
  await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("wake up")],
    idempotency_key: "w",
  });
  await request(bus, STORE_RPC.eventsSend, {
    session_id: session.id,
    events: [text("wake up")],
    idempotency_key: "w",
  });
  const info = await bus.jsm.streams.info("CORRAL_WAKE", { subjects_filter: `corral.wake.${session.id}` });
  expect(info.state.subjects?.[`corral.wake.${session.id}`]).toBe(2);
  const first = await bus.jsm.streams.getMessage("CORRAL_WAKE", {
    last_by_subj: `corral.wake.${session.id}`,
  });
  expect(first?.json()).toMatchObject({ session_id: session.id, seq: 2 });
  expect(sent.events[0]!.seq).toBe(0);
});

test("events a trusted writer appends straight to the log still wake the session and fold into the record", async () => {
  const session = await makeSession(bus);
  const writer = createLogWriter({ bus, log: await openSessionLog(bus) });
  await writer.append({
    sessionId: session.id,
    events: [text("direct"), { type: "session.status_running" }],
  });
  await waitFor(
    async () => (await request(bus, STORE_RPC.sessionsGet, { session_id: session.id })).status === "running",
  );
  const wake = await waitFor(() =>
    bus.jsm.streams.getMessage("CORRAL_WAKE", { last_by_subj: `corral.wake.${session.id}` }),
  );
  expect(wake.json()).toMatchObject({ session_id: session.id, seq: 0 });
  await writer.append({
    sessionId: session.id,
    events: [{ type: "session.status_idle", stop_reason: { type: "end_turn" } }],
  });
  await waitFor(
    async () => (await request(bus, STORE_RPC.sessionsGet, { session_id: session.id })).status === "idle",
  );
});
