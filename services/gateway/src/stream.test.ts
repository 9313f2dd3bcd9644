import { afterAll, beforeAll, expect, test } from "vitest";
import { flush, publishDelta, request } from "@corral/bus";
import { STORE_RPC, type SessionEvent } from "@corral/protocol";
import { makeSession } from "@corral/session-store/testing";
import { sseFrames, startTestStack, type SseFrame, type TestStack } from "./testing.js";

let stack: TestStack;
const feeds = { bufferEvents: 16, maxBufferedBytes: 8 * 1024 * 1024, heartbeatMs: 15_000 };
beforeAll(async () => {
  stack = await startTestStack({ feeds });
});
afterAll(() => stack.close());

const note = (i: number) => ({
  type: "system.message" as const,
  content: [{ type: "text" as const, text: `note ${i}` }],
});

/** Appends `count` events as a writer inside Corral would (not through the gateway). */
async function appendNotes(sid: string, start: number, count: number): Promise<void> {
  for (let i = start; i < start + count; i++)
    await request(stack.bus, STORE_RPC.eventsAppend, { session_id: sid, events: [note(i)] });
}

function open(
  sid: string,
  headers: Record<string, string> = {},
  query = "",
): { response: Promise<Response>; abort: () => void } {
  const controller = new AbortController();
  const response = fetch(`${stack.gw.url}/v1/sessions/${sid}/events/stream${query}`, {
    headers: { "x-api-key": stack.gw.key, ...headers },
    signal: controller.signal,
  });
  return { response, abort: () => controller.abort() };
}

/** Reads frames (ignoring pings) until `done` says stop; returns them. */
async function read(res: Response, done: (frames: SseFrame[]) => boolean): Promise<SseFrame[]> {
  const frames: SseFrame[] = [];
  for await (const frame of sseFrames(res)) {
    if (frame.event === "ping") continue;
    frames.push(frame);
    if (done(frames)) break;
  }
  return frames;
}

const textOf = (frame: SseFrame) =>
  (JSON.parse(frame.data) as SessionEvent & { content: { text: string }[] }).content[0]?.text ?? "";

test("a stream opened without Last-Event-ID starts at now; each frame's id is the event's position", async () => {
  const session = await makeSession(stack.bus);
  await appendNotes(session.id, 0, 3);
  const stream = open(session.id);
  const res = await stream.response;
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/event-stream");
  const reading = read(res, (f) => f.length === 2);
  await new Promise((r) => setTimeout(r, 100)); // let the follower attach before the live events
  await appendNotes(session.id, 3, 2);
  const frames = await reading;
  stream.abort();
  expect(frames.map(textOf)).toEqual(["note 3", "note 4"]);
  expect(frames.map((f) => [f.event, Number(f.id)])).toEqual([
    ["system.message", 3],
    ["system.message", 4],
  ]);
});

test("a dropped connection resumes from Last-Event-ID with nothing lost and nothing repeated, history or live", async () => {
  const session = await makeSession(stack.bus);
  await appendNotes(session.id, 0, 40); // more than the feed buffer: resuming reads history from the log
  const first = open(session.id, { "last-event-id": "-1" });
  // -1 is not a position: refused with the API's error
  const refused = await first.response;
  expect(refused.status).toBe(400);

  const a = open(session.id, { "last-event-id": "4" });
  const writer = appendNotes(session.id, 40, 60); // live events arrive while the client reads and reconnects
  const part1 = await read(await a.response, (f) => f.length === 25);
  a.abort();
  const lastId = part1.at(-1)!.id!;
  const b = open(session.id, { "last-event-id": lastId });
  const part2 = await read(await b.response, (f) => textOf(f.at(-1)!) === "note 99");
  b.abort();
  await writer;
  const positions = [...part1, ...part2].map((f) => Number(f.id));
  expect(positions).toEqual(Array.from({ length: 95 }, (_, i) => i + 5));
  expect([...part1, ...part2].map(textOf)).toEqual(Array.from({ length: 95 }, (_, i) => `note ${i + 5}`));
});

test("200 concurrent followers of one session all see every event, in order", async () => {
  const session = await makeSession(stack.bus);
  const followers = 200;
  const events = 50;
  const streams = Array.from({ length: followers }, () => open(session.id, { "last-event-id": "0" }));
  const responses = await Promise.all(streams.map((s) => s.response));
  expect(responses.every((r) => r.status === 200)).toBe(true);
  // Position 0 is appended first (the followers asked for everything after it), then 50 more.
  const readers = responses.map((res) => read(res, (f) => f.length === events));
  await appendNotes(session.id, 0, events + 1);
  const seen = await Promise.all(readers);
  for (const s of streams) s.abort();
  const expected = Array.from({ length: events }, (_, i) => `note ${i + 1}`);
  for (const frames of seen) expect(frames.map(textOf)).toEqual(expected);
});

test("event_deltas adds live previews to a connection that asked for them, and only to it", async () => {
  const session = await makeSession(stack.bus);
  const plain = open(session.id);
  const withDeltas = open(session.id, {}, "?event_deltas[]=agent.message");
  const [plainRes, deltaRes] = await Promise.all([plain.response, withDeltas.response]);
  const plainReading = read(plainRes, (f) => f.length === 1);
  const deltaReading = read(deltaRes, (f) => f.length === 3);
  await new Promise((r) => setTimeout(r, 100));
  const id = "sevt_01JPREVIEW0000000000000000" as const;
  publishDelta(stack.bus, session.id, { type: "event_start", event: { type: "agent.message", id } });
  publishDelta(stack.bus, session.id, {
    type: "event_delta",
    event_id: id,
    delta: { type: "content_delta", index: 0, content: { type: "text", text: "Hel" } },
  });
  await flush(stack.bus);
  await appendNotes(session.id, 0, 1);
  const [plainFrames, deltaFrames] = await Promise.all([plainReading, deltaReading]);
  plain.abort();
  withDeltas.abort();
  expect(plainFrames.map((f) => f.event)).toEqual(["system.message"]);
  expect(deltaFrames.map((f) => f.event)).toEqual(["event_start", "event_delta", "system.message"]);
  expect(deltaFrames[0]!.id).toBeUndefined();
});

test("streams need a key and an existing session", async () => {
  const noKey = await fetch(`${stack.gw.url}/v1/sessions/sesn_01JZZZZZZZZZZZZZZZZZZZZZZZ/events/stream`);
  expect(noKey.status).toBe(401);
  const missing = await open("sesn_01JZZZZZZZZZZZZZZZZZZZZZZZ").response;
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { error: { type: string } }).error.type).toBe("not_found_error");
  const badQuery = await open((await makeSession(stack.bus)).id, {}, "?event_deltas[]=agent.dance").response;
  expect(badQuery.status).toBe(400);
});
