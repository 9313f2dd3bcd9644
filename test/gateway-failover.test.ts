import { afterAll, beforeAll, expect, test } from "vitest";
import { request, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import {
  freePort,
  startSystem,
  untilHealthy,
  waitFor,
  type ServiceProcess,
  type TestSystem,
} from "@corral/testing";
import { startStore, makeSession, type StoreHarness } from "@corral/session-store/testing";
import { sseFrames, type SseFrame } from "@corral/gateway/testing";
import { createApiKey, openKeyBucket } from "@corral/gateway";

// Gateways hold no state: SIGKILL one mid-stream and mid-send, and clients lose nothing by resuming
// (Last-Event-ID) or retrying (Idempotency-Key) against another.
let system: TestSystem;
let store: StoreHarness;
let bus: Bus;
let key: string;
const gateways: ServiceProcess[] = [];

async function startGatewayProcess(): Promise<string> {
  const port = await freePort();
  gateways.push(system.spawn("gateway", { GATEWAY_PORT: String(port) }));
  const url = `http://127.0.0.1:${port}`;
  await untilHealthy(url);
  return url;
}

beforeAll(async () => {
  system = await startSystem("client");
  store = await startStore(system.nats.url, { taskIntake: false });
  bus = system.bus;
  key = (await createApiKey(await openKeyBucket(bus), "failover")).key;
});

afterAll(async () => {
  for (const g of gateways) await g.kill();
  await store.close();
  await system.stop();
});

const note = (i: number) => ({
  type: "system.message" as const,
  content: [{ type: "text" as const, text: `note ${i}` }],
});
const textOf = (f: SseFrame) => (JSON.parse(f.data) as { content: { text: string }[] }).content[0]!.text;

test("a gateway SIGKILLed under a follower and a sender: resume and retry on another lose and repeat nothing", async () => {
  const [first, second] = [await startGatewayProcess(), await startGatewayProcess()];
  const session = await makeSession(bus);
  const headers = { "x-api-key": key, "content-type": "application/json" };

  // A writer inside Corral keeps appending the whole time.
  let writing = true;
  const writer = (async () => {
    for (let i = 0; writing; i++)
      await request(bus, STORE_RPC.eventsAppend, { session_id: session.id, events: [note(i)] });
  })();

  const received: SseFrame[] = [];
  const res = await fetch(`${first}/v1/sessions/${session.id}/events/stream`, {
    headers: { ...headers, "last-event-id": "0" },
  });
  const reading = (async () => {
    try {
      for await (const frame of sseFrames(res)) if (frame.event !== "ping") received.push(frame);
    } catch {
      // the connection dies with the gateway
    }
  })();
  await waitFor(() => received.length >= 20);
  // A send in flight on the first gateway when it dies (its answer may or may not have been stored) …
  const body = JSON.stringify({
    events: [{ type: "user.message", content: [{ type: "text", text: "sent once" }] }],
  });
  const send = (url: string) =>
    fetch(`${url}/v1/sessions/${session.id}/events`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": "failover-send" },
      body,
    }).then((r) => r.json() as Promise<{ data: { id: string }[] }>);
  const inFlight = send(first).catch(() => null);
  await gateways[0]!.kill("SIGKILL");
  await reading;
  await inFlight;
  const cut = received.length;

  // … is retried on the second gateway with the same key: it lands once.
  const [a, b] = [await send(second), await send(second)];
  expect(b.data[0]!.id).toBe(a.data[0]!.id);

  const resumed = await fetch(`${second}/v1/sessions/${session.id}/events/stream`, {
    headers: { ...headers, "last-event-id": received.at(-1)!.id! },
  });
  await new Promise((r) => setTimeout(r, 300));
  writing = false;
  await writer;
  const head = await request(bus, STORE_RPC.eventsList, { session_id: session.id, order: "desc", limit: 1 });
  for await (const frame of sseFrames(resumed)) {
    if (frame.event === "ping") continue;
    received.push(frame);
    if (Number(frame.id) === head.last_seq) break;
  }
  const positions = received.map((f) => Number(f.id));
  expect(positions).toEqual(Array.from({ length: head.last_seq }, (_, i) => i + 1));
  expect(received.length).toBeGreaterThan(cut);
  expect(received.filter((f) => f.event === "user.message").map(textOf)).toEqual(["sent once"]);
});
