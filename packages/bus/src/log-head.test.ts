import { afterAll, beforeAll, expect, test } from "vitest";
import { newId, SUBJECTS, type SessionEvent } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import {
  connectBus,
  ensureStreams,
  openSessionLog,
  publishRaw,
  readSlice,
  type Bus,
  type SessionLog,
} from "./index.js";

let server: NatsServer;
let bus: Bus;
let log: SessionLog;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "log-head-test"));
  await ensureStreams(bus);
  log = await openSessionLog(bus);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

const event = (seq: number) =>
  ({
    type: "agent.message",
    content: [{ type: "text", text: `event ${seq}` }],
    id: newId("event"),
    seq,
    processed_at: new Date().toISOString(),
  }) as SessionEvent;

test("the head passes over a long run of messages without positions, interleaved with other logs", async () => {
  const sid = newId("session");
  const other = newId("session");
  let streamSeq = 0;
  for (let seq = 0; seq < 5; seq++) {
    const ack = await log.append(sid, [event(seq)], { expectStreamSeq: streamSeq, msgId: `${sid}:${seq}` });
    streamSeq = ack.seq;
  }
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
  await log.append(sid, [event(5)], { expectStreamSeq: last, msgId: `${sid}:5` });
  expect((await log.head(sid))?.lastSeq).toBe(5);
});

test("a log holding only messages without positions has no events, and its guard is its last message", async () => {
  const sid = newId("session");
  const last = await publishRaw(bus, SUBJECTS.log(sid), "{}");
  expect(await log.head(sid)).toEqual({ lastSeq: -1, streamSeq: last });
  expect((await readSlice(log, sid, { from: 0, limit: 10 })).events).toEqual([]);
});
