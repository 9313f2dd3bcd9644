import { beforeAll, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { createLogWriter, openSessionLog, request, requestRaw, type Bus } from "@corral/bus";
import { waitFor } from "@corral/testing";
import { makeAgent, makeEnvironment, makeSession, startStoreStack, text } from "./testing.js";

let bus: Bus;

beforeAll(async () => {
  const stack = await startStoreStack();
  bus = stack.bus;
  return () => stack.stop();
});

/** Puts a session in `running`, as the harness does when a turn starts. */
const markRunning = (sessionId: string) =>
  request(bus, STORE_RPC.eventsAppend, {
    session_id: sessionId,
    events: [{ type: "session.status_running" }],
  });

test("a session snapshots the agent version it was created with", async () => {
  const agent = await makeAgent(bus);
  const environment = await makeEnvironment(bus);
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    title: "t",
  });
  await request(bus, STORE_RPC.agentsUpdate, { agent_id: agent.id, params: { system: "changed" } });
  const fetched = await request(bus, STORE_RPC.sessionsGet, { session_id: session.id });
  expect(fetched).toMatchObject({
    status: "idle",
    title: "t",
    agent: { id: agent.id, version: 1, system: "be brief" },
    event_count: 0,
  });
});

test("a session can pin a version or override fields without changing the agent", async () => {
  const agent = await makeAgent(bus);
  const environment = await makeEnvironment(bus);
  await request(bus, STORE_RPC.agentsUpdate, { agent_id: agent.id, params: { system: "v2" } });
  const pinned = await request(bus, STORE_RPC.sessionsCreate, {
    agent: { type: "agent", id: agent.id, version: 1 },
    environment_id: environment.id,
  });
  expect(pinned.agent).toMatchObject({ version: 1, system: "be brief" });
  const overridden = await request(bus, STORE_RPC.sessionsCreate, {
    agent: { type: "agent_with_overrides", id: agent.id, system: "session only" },
    environment_id: environment.id,
  });
  expect(overridden.agent).toMatchObject({ version: 2, system: "session only" });
  await expect(request(bus, STORE_RPC.agentsGet, { agent_id: agent.id })).resolves.toMatchObject({
    system: "v2",
  });
});

test("creating a session with an unknown agent or environment fails and stores nothing", async () => {
  const environment = await makeEnvironment(bus);
  const before = await request(bus, STORE_RPC.sessionsList, { limit: 1000, include_archived: true });
  await expect(
    request(bus, STORE_RPC.sessionsCreate, {
      agent: "agent_0000000000000000000000",
      environment_id: environment.id,
    }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  const agent = await makeAgent(bus);
  await expect(
    request(bus, STORE_RPC.sessionsCreate, {
      agent: agent.id,
      environment_id: "env_000000000000000000000000",
    }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  const after = await request(bus, STORE_RPC.sessionsList, { limit: 1000, include_archived: true });
  expect(after.data.length).toBe(before.data.length);
});

test("initial events are appended and the session's count follows the log", async () => {
  const session = await makeSession(bus, { initial_events: [text("hello")] });
  expect(session.event_count).toBe(1);
  const events = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(events.data).toMatchObject([
    { type: "user.message", seq: 0, content: [{ type: "text", text: "hello" }] },
  ]);
  expect(events.data[0]!.id).toMatch(/^sevt_/);
});

test("status, stop reason and usage are folded from the log into the record", async () => {
  const session = await makeSession(bus);
  await markRunning(session.id);
  await expect(request(bus, STORE_RPC.sessionsGet, { session_id: session.id })).resolves.toMatchObject({
    status: "running",
    stop_reason: null,
  });
  const usage = {
    input_tokens: 10,
    output_tokens: 5,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
  };
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [
      { type: "session.usage", usage },
      { type: "session.status_idle", stop_reason: { type: "end_turn" } },
    ],
  });
  const record = await request(bus, STORE_RPC.sessionsGet, { session_id: session.id });
  expect(record).toMatchObject({
    status: "idle",
    stop_reason: { type: "end_turn" },
    usage: { input_tokens: 10, output_tokens: 5 },
    event_count: 3,
  });
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
  const reply = await requestRaw(bus, STORE_RPC.eventsSend.subject, raw);
  expect(reply).toMatchObject({ ok: false, error: { code: "INVALID_REQUEST" } });
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

test("update patches metadata, records session.updated, and delete leaves only a tombstone", async () => {
  const session = await makeSession(bus);
  await request(bus, STORE_RPC.sessionsUpdate, {
    session_id: session.id,
    params: { title: "new", metadata: { a: "1", b: "2" } },
  });
  const updated = await request(bus, STORE_RPC.sessionsUpdate, {
    session_id: session.id,
    params: { metadata: { a: null } },
  });
  expect(updated).toMatchObject({ title: "new", metadata: { b: "2" } });
  const events = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(events.data.map((e) => e.type)).toEqual(["session.updated", "session.updated"]);
  await expect(request(bus, STORE_RPC.sessionsDelete, { session_id: session.id })).resolves.toEqual({
    id: session.id,
    type: "session_deleted",
  });
  await expect(request(bus, STORE_RPC.sessionsGet, { session_id: session.id })).rejects.toMatchObject({
    code: "NOT_FOUND",
  });
  const tomb = await bus.jsm.streams.getMessage("CORRAL_SESSIONS", {
    last_by_subj: `corral.log.${session.id}`,
  });
  expect(tomb?.json()).toMatchObject({ events: [{ type: "session.deleted" }] });
});

test("a running session cannot be archived or deleted", async () => {
  const session = await makeSession(bus);
  await markRunning(session.id);
  await expect(request(bus, STORE_RPC.sessionsArchive, { session_id: session.id })).rejects.toMatchObject({
    code: "CONFLICT",
  });
  await expect(request(bus, STORE_RPC.sessionsDelete, { session_id: session.id })).rejects.toMatchObject({
    code: "CONFLICT",
  });
});

test("sessions list filters by agent and status and pages", async () => {
  const agent = await makeAgent(bus);
  const environment = await makeEnvironment(bus);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++)
    ids.push(
      (await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: environment.id })).id,
    );
  await markRunning(ids[0]!);
  const mine = await request(bus, STORE_RPC.sessionsList, { agent_id: agent.id, limit: 2 });
  expect(mine.data.map((s) => s.id)).toEqual([ids[2], ids[1]]);
  const rest = await request(bus, STORE_RPC.sessionsList, {
    agent_id: agent.id,
    limit: 2,
    page: mine.next_page!,
  });
  expect(rest.data.map((s) => s.id)).toEqual([ids[0]]);
  const running = await request(bus, STORE_RPC.sessionsList, { agent_id: agent.id, statuses: ["running"] });
  expect(running.data.map((s) => s.id)).toEqual([ids[0]]);
});

test("environments: names are unique, archive is read-only, delete removes", async () => {
  const environment = await makeEnvironment(bus);
  await expect(request(bus, STORE_RPC.environmentsCreate, { name: environment.name })).rejects.toMatchObject({
    code: "ALREADY_EXISTS",
  });
  const renamed = await request(bus, STORE_RPC.environmentsUpdate, {
    environment_id: environment.id,
    params: { description: "d" },
  });
  expect(renamed.description).toBe("d");
  await request(bus, STORE_RPC.environmentsArchive, { environment_id: environment.id });
  await expect(
    request(bus, STORE_RPC.environmentsUpdate, {
      environment_id: environment.id,
      params: { description: "x" },
    }),
  ).rejects.toMatchObject({ code: "ARCHIVED" });
  await request(bus, STORE_RPC.environmentsDelete, { environment_id: environment.id });
  await expect(
    request(bus, STORE_RPC.environmentsGet, { environment_id: environment.id }),
  ).rejects.toMatchObject({ code: "NOT_FOUND" });
  const again = await request(bus, STORE_RPC.environmentsCreate, { name: environment.name });
  expect(again.name).toBe(environment.name);
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
