import { afterAll, beforeAll, expect, test } from "vitest";
import { STORE_RPC } from "@corral/protocol";
import { connectBus, listenRaw, type Bus } from "@corral/bus";
import {
  busConfigFor,
  startNatsServer,
  startScriptedModel,
  waitFor,
  type NatsServer,
  type ScriptedModel,
} from "@corral/testing";
import { startStore, type StoreHarness } from "@corral/session-store/testing";
import { allEvents, eventsUntil, isIdle, newSession, say, send, startHarness } from "./testing.js";

let nats: NatsServer;
let model: ScriptedModel;
let store: StoreHarness;
let brain: Awaited<ReturnType<typeof startHarness>>;
let bus: Bus;

beforeAll(async () => {
  nats = await startNatsServer();
  model = await startScriptedModel();
  store = await startStore(nats.url, { taskIntake: false });
  brain = await startHarness(nats.url, model.url);
  bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
});

afterAll(async () => {
  await bus.close();
  await brain.close();
  await store.close();
  await model.close();
  await nats.stop();
});

test("appends made while the session-store is down (and one whose reply never comes) land once it is back", async () => {
  const sid = await newSession(bus);
  let storeDown: Promise<void> | null = null;
  model.script(() => {
    storeDown = store.close();
    return { type: "message", content: [{ type: "text", text: "answered across a store restart" }] };
  });
  await send(bus, sid, say("hello"));
  await waitFor(() => storeDown !== null, { timeoutMs: 20_000 });
  await storeDown;
  // While no store serves, appends find no responder and are sent again. Then this listener takes one and
  // never answers: it waits out its attempt and is sent again, like an append whose reply was lost.
  const seen: string[] = [];
  const stopListening = listenRaw(bus, STORE_RPC.logAppend.subject, (subject) => void seen.push(subject));
  await waitFor(() => seen.length > 0, { timeoutMs: 20_000 });
  store = await startStore(nats.url, { taskIntake: false });
  stopListening();
  await eventsUntil(bus, sid, isIdle, 0, 30_000);
  const events = await allEvents(bus, sid);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  expect(events.filter((e) => e.type === "agent.message")).toHaveLength(1);
  expect(events.at(-1)).toMatchObject({ type: "session.status_idle", stop_reason: { type: "end_turn" } });
});
