import { afterAll, beforeAll, expect, test } from "vitest";
import { newId, type SessionEventInput } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import {
  connectBus,
  createLogWriter,
  ensureStreams,
  openSessionLog,
  type Bus,
  type SessionLog,
} from "./index.js";

let server: NatsServer;
let bus: Bus;
let log: SessionLog;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "log-writer-head-test"));
  await ensureStreams(bus);
  log = await openSessionLog(bus);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

const say = (text: string): SessionEventInput => ({
  type: "user.message",
  content: [{ type: "text", text }],
});

/** A writer of its own (nothing cached), counting the head reads it makes. */
function freshWriter() {
  const reads = { head: 0 };
  const counted: SessionLog = { ...log, head: (sessionId) => (reads.head++, log.head(sessionId)) };
  return { writer: createLogWriter({ bus, log: counted }), reads };
}

test("a new log's first append reads no head", async () => {
  const sid = newId("session");
  const { writer, reads } = freshWriter();
  const [first] = await writer.append({ sessionId: sid, events: [say("one")] });
  expect(first?.seq).toBe(0);
  expect(reads.head).toBe(0);
});

test("a writer that has not seen a log yet appends after what others stored, and refuses a stale position", async () => {
  const sid = newId("session");
  await freshWriter().writer.append({ sessionId: sid, events: [say("a"), say("b")] });
  const { writer, reads } = freshWriter();
  expect((await writer.append({ sessionId: sid, events: [say("c")] })).map((e) => e.seq)).toEqual([2]);
  expect(reads.head).toBe(1);
  const other = freshWriter().writer;
  expect((await other.append({ sessionId: sid, events: [say("d")], expectedSeq: 3 }))[0]?.seq).toBe(3);
  await expect(
    freshWriter().writer.append({ sessionId: sid, events: [say("e")], expectedSeq: 0 }),
  ).rejects.toMatchObject({ code: "CONFLICT" });
  const retried = freshWriter().writer;
  const again = await retried.append({ sessionId: sid, events: [say("c")], idempotencyKey: "k1" });
  const repeat = await freshWriter().writer.append({
    sessionId: sid,
    events: [say("c")],
    idempotencyKey: "k1",
  });
  expect(repeat.map((e) => e.id)).toEqual(again.map((e) => e.id));
  const slice = await log.head(sid);
  expect(slice?.lastSeq).toBe(4);
});
