import { afterAll, beforeAll, expect, test } from "vitest";
import { STREAMS } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { awaitStreams, connectBus, ensureStreams, type Bus } from "./index.js";

let server: NatsServer;
let reader: Bus;
let owner: Bus;

beforeAll(async () => {
  server = await startNatsServer();
  reader = await connectBus(busConfigFor(server.url, "harness"));
  owner = await connectBus(busConfigFor(server.url, "session-store"));
});

afterAll(async () => {
  await reader.close();
  await owner.close();
  await server.stop();
});

test("a service that may not create the streams waits for their owner, then goes on", async () => {
  let ready = false;
  const waiting = awaitStreams(reader, [STREAMS.sessions, STREAMS.wake]).then(() => (ready = true));
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(ready).toBe(false);
  await ensureStreams(owner);
  await waiting;
  expect(ready).toBe(true);
});
