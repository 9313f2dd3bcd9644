import { afterAll, beforeAll, expect, test } from "vitest";
import { newId, type SessionEvent } from "@corral/protocol";
import { busConfigFor, startNatsServer, type NatsServer } from "@corral/testing";
import { connectBus, ensureStreams, openSessionLog, readSlice, type Bus, type SessionLog } from "./index.js";

let server: NatsServer;
let bus: Bus;
let log: SessionLog;

beforeAll(async () => {
  server = await startNatsServer();
  bus = await connectBus(busConfigFor(server.url, "admin", "log-slice-tail-test"));
  await ensureStreams(bus);
  log = await openSessionLog(bus);
});

afterAll(async () => {
  await bus.close();
  await server.stop();
});

function batch(first: number, count: number): SessionEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    type: i % 2 ? "agent.message" : "session.status_running",
    ...(i % 2 && { content: [{ type: "text", text: `event ${first + i}` }] }),
    id: newId("event"),
    seq: first + i,
    processed_at: new Date().toISOString(),
  })) as SessionEvent[];
}

/** Three messages: positions 0–3, 4–7 and 8–11. */
async function threeBatches(sessionId: string): Promise<void> {
  let streamSeq = 0;
  for (const first of [0, 4, 8]) {
    const ack = await log.append(sessionId, batch(first, 4), {
      expectStreamSeq: streamSeq,
      msgId: `${sessionId}:${first}`,
    });
    streamSeq = ack.seq;
  }
}

/** The log, counting the reads a slice makes past the one that finds the head. */
function counting(inner: SessionLog) {
  const reads = { locate: 0, scan: 0 };
  const spy: SessionLog = {
    ...inner,
    locate: (sessionId, from) => (reads.locate++, inner.locate(sessionId, from)),
    scan: (sessionId, start, until) => (reads.scan++, inner.scan(sessionId, start, until)),
  };
  return { spy, reads };
}

const seqs = (events: readonly SessionEvent[]) => events.map((e) => e.seq);

test("a slice that starts within the log's last message is read with the head, and no other read", async () => {
  const sid = newId("session");
  await threeBatches(sid);
  const { spy, reads } = counting(log);
  const all = await readSlice(spy, sid, { from: 9, limit: 10 });
  expect(seqs(all.events)).toEqual([9, 10, 11]);
  expect(all.nextFrom).toBeNull();
  const part = await readSlice(spy, sid, { from: 8, limit: 2 });
  expect(seqs(part.events)).toEqual([8, 9]);
  expect(part.nextFrom).toBe(10);
  const typed = await readSlice(spy, sid, { from: 8, limit: 10, types: ["agent.message"] });
  expect(seqs(typed.events)).toEqual([9, 11]);
  expect(typed.nextFrom).toBeNull();
  expect(reads).toEqual({ locate: 0, scan: 0 });
});

test("a slice that starts before the last message still walks the log from the index", async () => {
  const sid = newId("session");
  await threeBatches(sid);
  const { spy, reads } = counting(log);
  const slice = await readSlice(spy, sid, { from: 2, limit: 7 });
  expect(seqs(slice.events)).toEqual([2, 3, 4, 5, 6, 7, 8]);
  expect(slice.nextFrom).toBe(9);
  expect(reads).toEqual({ locate: 1, scan: 1 });
  expect(seqs((await readSlice(spy, sid, { from: 0, limit: 100 })).events)).toEqual(
    Array.from({ length: 12 }, (_, i) => i),
  );
});
