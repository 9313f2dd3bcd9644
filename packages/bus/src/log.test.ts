import { afterAll, beforeAll, expect, test } from "vitest";
import { newId, SUBJECTS, type SessionEvent, type SessionEventInput } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import {
  connectBus,
  createLogWriter,
  ensureStreams,
  isWrongLastSequence,
  openSessionLog,
  publishRaw,
  readSlice,
  tailEvents,
  type Bus,
  type SessionLog,
} from "./index.js";

let server: NatsServer;
let bus: Bus;
let log: SessionLog;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "log-test"));
  await ensureStreams(bus);
  log = await openSessionLog(bus);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

function batch(first: number, count: number): SessionEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "agent.message",
    content: [{ type: "text", text: `event ${first + i}` }],
    id: newId("event"),
    seq: first + i,
    processed_at: new Date().toISOString(),
  })) as SessionEvent[];
}

async function appendAll(sessionId: string, total: number, size: number): Promise<void> {
  let streamSeq = 0;
  for (let first = 0; first < total; first += size) {
    const ack = await log.append(sessionId, batch(first, Math.min(size, total - first)), {
      expectStreamSeq: streamSeq,
      msgId: `${sessionId}:${first}`,
    });
    streamSeq = ack.seq;
  }
}

test("a slice returns exactly the positions asked for, across batch and index boundaries", async () => {
  const sid = newId("session");
  await appendAll(sid, 300, 7);
  for (const [from, limit] of [
    [0, 5],
    [63, 3],
    [64, 1],
    [130, 70],
    [295, 50],
  ] as const) {
    const slice = await readSlice(log, sid, { from, limit });
    const expected = Array.from({ length: Math.min(limit, 300 - from) }, (_, i) => from + i);
    expect(slice.events.map((e) => e.seq)).toEqual(expected);
  }
  expect((await readSlice(log, sid, { from: 300, limit: 10 })).events).toEqual([]);
});

test("the head names the last position and a stale guard is refused", async () => {
  const sid = newId("session");
  await appendAll(sid, 10, 3);
  expect(await log.head(sid)).toMatchObject({ lastSeq: 9 });
  const error = await log
    .append(sid, batch(10, 1), { expectStreamSeq: 1, msgId: `${sid}:stale` })
    .catch((e: unknown) => e);
  expect(isWrongLastSequence(error)).toBe(true);
  expect((await log.head(sid))?.lastSeq).toBe(9);
});

test("a slice still works when an index checkpoint is missing", async () => {
  const sid = newId("session");
  await appendAll(sid, 200, 1);
  const index = await bus.kvm.open("corral_log_index");
  await index.purge(`${sid}.2`);
  const slice = await readSlice(log, sid, { from: 140, limit: 5 });
  expect(slice.events.map((e) => e.seq)).toEqual([140, 141, 142, 143, 144]);
});

test("a tail passes from stored to live events without a gap or a repeat", async () => {
  const sid = newId("session");
  await appendAll(sid, 50, 5);
  const controller = new AbortController();
  const seen: number[] = [];
  const done = (async () => {
    for await (const event of tailEvents(log, sid, 20, controller.signal)) {
      seen.push(event.seq);
      if (event.seq === 79) controller.abort();
    }
  })();
  const head = await log.head(sid);
  let streamSeq = head!.streamSeq;
  for (let first = 50; first < 80; first += 3) {
    streamSeq = (
      await log.append(sid, batch(first, Math.min(3, 80 - first)), {
        expectStreamSeq: streamSeq,
        msgId: `${sid}:${first}`,
      })
    ).seq;
  }
  await done;
  expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => 20 + i));
});

test("the head passes over a long run of messages without positions, interleaved with other logs", async () => {
  const sid = newId("session");
  const other = newId("session");
  await appendAll(sid, 5, 1);
  let last = 0;
  for (let i = 0; i < 100; i++) {
    await publishRaw(bus, SUBJECTS.log(other), "noise");
    last = await publishRaw(bus, SUBJECTS.log(sid), `forged ${i}`);
  }
  expect(await log.head(sid)).toEqual({ lastSeq: 4, streamSeq: last });
  const slice = await readSlice(log, sid, { from: 0, limit: 100 });
  expect(slice.events.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4]);
  expect(slice.nextFrom).toBeNull();
  // The next append is guarded by the subject's real last message, and takes the next position.
  await log.append(sid, batch(5, 1), { expectStreamSeq: last, msgId: `${sid}:5` });
  expect((await log.head(sid))?.lastSeq).toBe(5);
});

test("a log holding only messages without positions has no events, and its guard is its last message", async () => {
  const sid = newId("session");
  const last = await publishRaw(bus, SUBJECTS.log(sid), "{}");
  expect(await log.head(sid)).toEqual({ lastSeq: -1, streamSeq: last });
  expect((await readSlice(log, sid, { from: 0, limit: 10 })).events).toEqual([]);
});

/** The log, counting the reads past the one that finds the head (a slice's) or the head reads (a writer's). */
function counting() {
  const reads = { head: 0, locate: 0, scan: 0 };
  const spy: SessionLog = {
    ...log,
    head: (sessionId) => (reads.head++, log.head(sessionId)),
    locate: (sessionId, from) => (reads.locate++, log.locate(sessionId, from)),
    scan: (sessionId, start, until) => (reads.scan++, log.scan(sessionId, start, until)),
  };
  return { spy, reads };
}

const seqs = (events: readonly SessionEvent[]) => events.map((e) => e.seq);

test("a slice that starts within the log's last message is read with the head, and no other read", async () => {
  const sid = newId("session");
  await appendAll(sid, 12, 4);
  const { spy, reads } = counting();
  const all = await readSlice(spy, sid, { from: 9, limit: 10 });
  expect([seqs(all.events), all.nextFrom]).toEqual([[9, 10, 11], null]);
  const part = await readSlice(spy, sid, { from: 8, limit: 2 });
  expect([seqs(part.events), part.nextFrom]).toEqual([[8, 9], 10]);
  const none = await readSlice(spy, sid, { from: 8, limit: 10, types: ["user.message"] });
  expect([none.events, none.nextFrom]).toEqual([[], null]);
  expect(reads).toEqual({ head: 0, locate: 0, scan: 0 });
  // One that starts before the last message walks the log from the index, as ever.
  const earlier = await readSlice(spy, sid, { from: 2, limit: 7 });
  expect([seqs(earlier.events), earlier.nextFrom]).toEqual([[2, 3, 4, 5, 6, 7, 8], 9]);
  expect(reads).toEqual({ head: 0, locate: 1, scan: 1 });
});

const say = (text: string): SessionEventInput => ({
  type: "user.message",
  content: [{ type: "text", text }],
});

test("a writer appends to a log it has not seen: a new one without reading its head, any other after what is stored", async () => {
  const fresh = () => {
    const { spy, reads } = counting();
    return { writer: createLogWriter({ bus, log: spy }), reads };
  };
  const sid = newId("session");
  const first = fresh();
  expect(seqs(await first.writer.append({ sessionId: sid, events: [say("a"), say("b")] }))).toEqual([0, 1]);
  expect(first.reads.head).toBe(0);
  const second = fresh();
  expect(seqs(await second.writer.append({ sessionId: sid, events: [say("c")] }))).toEqual([2]);
  expect(second.reads.head).toBe(1);
  expect(seqs(await fresh().writer.append({ sessionId: sid, events: [say("d")], expectedSeq: 3 }))).toEqual([
    3,
  ]);
  await expect(
    fresh().writer.append({ sessionId: sid, events: [say("e")], expectedSeq: 0 }),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  const keyed = { sessionId: sid, events: [say("f")], idempotencyKey: "k1" };
  const stored = await fresh().writer.append(keyed);
  expect((await fresh().writer.append(keyed)).map((e) => e.id)).toEqual(stored.map((e) => e.id));
  expect((await log.head(sid))?.lastSeq).toBe(4);
});

test("an append made while nats-server restarts is stored once, when the server is back", async () => {
  const session = newId("session");
  await log.append(session, batch(0, 1), { expectStreamSeq: 0, msgId: `${session}:a` });
  const head = await log.head(session);
  const restarting = server.restart(1_000);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const appended = log.append(session, batch(1, 2), {
    expectStreamSeq: head!.streamSeq,
    msgId: `${session}:b`,
  });
  await restarting;
  const ack = await appended;
  expect(ack.duplicate).toBe(false);
  const slice = await readSlice(log, session, { from: 0, limit: 10 });
  expect(slice.events.map((e) => e.seq)).toEqual([0, 1, 2]);
});
