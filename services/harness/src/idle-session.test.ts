import { afterAll, beforeAll, expect, test } from "vitest";
import { connectBus, type Bus } from "@corral/bus";
import {
  busConfigFor,
  freePort,
  startNatsServer,
  startScriptedModel,
  waitFor,
  type NatsServer,
  type ScriptedModel,
} from "@corral/testing";
import { startStore } from "@corral/session-store/testing";
import { eventsUntil, isIdle, newSession, say, send, startHarness } from "./testing.js";

// An idle session costs the harness nothing: once a session is at rest, the harness holds no NATS
// subscription and no timer for it. Subscriptions are counted by nats-server itself (its monitoring
// endpoint, `connz?subs=1`, for the harness's connection); timers by Node (active `Timeout` resources of
// this process, which runs the store, the harness and the client).

let nats: NatsServer;
let model: ScriptedModel;
let store: Awaited<ReturnType<typeof startStore>>;
let brain: Awaited<ReturnType<typeof startHarness>>;
let bus: Bus;
let monitor: string;

beforeAll(async () => {
  const port = await freePort();
  monitor = `http://127.0.0.1:${port}`;
  nats = await startNatsServer({ extraArgs: ["-m", String(port)] });
  model = await startScriptedModel();
  model.setFallback({ type: "message", content: [{ type: "text", text: "done" }] });
  store = await startStore(nats.url, { taskIntake: false });
  brain = await startHarness(nats.url, model.url, { concurrency: 64 });
  bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
});

afterAll(async () => {
  await bus?.close();
  await brain?.close();
  await store?.close();
  await model?.close();
  await nats?.stop();
});

/** The harness connection's subscriptions, as nats-server counts them. */
async function harnessSubscriptions(): Promise<number> {
  const connz = (await (await fetch(`${monitor}/connz?subs=1`)).json()) as {
    connections: { name?: string; subscriptions: number }[];
  };
  const mine = connz.connections.filter((c) => c.name === "harness");
  expect(mine).toHaveLength(1);
  return mine[0]!.subscriptions;
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;

/** Sessions taken through one turn to idle, all at once; resolves once the harness runs none of them. */
async function runToIdle(count: number): Promise<void> {
  const ids = await Promise.all(Array.from({ length: count }, () => newSession(bus)));
  await Promise.all(ids.map((sid) => send(bus, sid, say("hi"))));
  await Promise.all(ids.map((sid) => eventsUntil(bus, sid, isIdle)));
  await waitFor(() => brain.harness.active().length === 0);
}

test("sessions at rest leave no subscription and no timer behind in the harness", async () => {
  await runToIdle(2); // warm: the harness's own long-lived consumers and watches are all in place
  const baseline = { subs: await harnessSubscriptions(), timers: timers() };
  await runToIdle(40);
  // Settled, not timed: each count must come back down to where it was before the sessions ran.
  const after = await waitFor(
    async () => {
      const now = { subs: await harnessSubscriptions(), timers: timers() };
      return now.subs <= baseline.subs && now.timers <= baseline.timers && now;
    },
    { timeoutMs: 15_000 },
  ).catch(async () => ({ subs: await harnessSubscriptions(), timers: timers() }));
  expect(after.subs).toBeLessThanOrEqual(baseline.subs);
  expect(after.timers).toBeLessThanOrEqual(baseline.timers);
});
