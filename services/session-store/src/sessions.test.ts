import { afterAll, beforeAll, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { connectBus, request, type Bus } from "@corral/bus";
import { startNatsServer, type NatsServer } from "@corral/testing";
import { makeAgent, makeEnvironment, makeSession, startStore, text, type StoreHarness } from "./testing.js";

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
  const agent = await makeAgent(bus);
  const environment = await makeEnvironment(bus);
  const session = await request(bus, STORE_RPC.sessionsCreate, {
    agent: agent.id,
    environment_id: environment.id,
    initial_events: [text("hello")],
  });
  expect(session.event_count).toBe(1);
  const events = await request(bus, STORE_RPC.eventsList, { session_id: session.id });
  expect(events.data).toMatchObject([
    { type: "user.message", seq: 0, content: [{ type: "text", text: "hello" }] },
  ]);
  expect(events.data[0]!.id).toMatch(/^sevt_/);
});

test("status, stop reason and usage are folded from the log into the record", async () => {
  const session = await makeSession(bus);
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [{ type: "session.status_running" }],
  });
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
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: session.id,
    events: [{ type: "session.status_running" }],
  });
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
  await request(bus, STORE_RPC.eventsAppend, {
    session_id: ids[0]!,
    events: [{ type: "session.status_running" }],
  });
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
