import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { LOG_HEADERS, STORE_RPC, STREAMS, SUBJECTS, type SessionEvent } from "@corral/protocol";
import { busConfigFor, waitFor } from "@corral/testing";
import {
  connectBus,
  openSessionLog,
  probePublish,
  publishRaw,
  request,
  tailEvents,
  type Bus,
} from "@corral/bus";
import { makeSession, startStoreStack, text } from "@corral/session-store/testing";
import {
  allEvents,
  eventsUntil,
  isIdle,
  newSession,
  say,
  send as sendTo,
  startBrainStack,
  type BrainStack,
} from "@corral/harness/testing";

/**
 * A message on a session's log subject that no Corral writer made (no position headers, or a body that is
 * not a batch) is ignored by every reader: the history stays readable and new events continue at the
 * positions the real events leave off at.
 */
let stack: Awaited<ReturnType<typeof startStoreStack>>;
let bus: Bus;

beforeAll(async () => {
  stack = await startStoreStack();
  bus = stack.bus;
});

afterAll(() => stack?.stop());

const send = (sessionId: string, t: string) =>
  request(bus, STORE_RPC.eventsSend, { session_id: sessionId, events: [text(t)] });

const list = (sessionId: string, order: "asc" | "desc" = "asc") =>
  request(bus, STORE_RPC.eventsList, { session_id: sessionId, limit: 1000, order });

const texts = (events: SessionEvent[]) =>
  events.map((e) =>
    e.type === "user.message" && e.content[0]?.type === "text" ? e.content[0].text : e.type,
  );

/** A session holding "one" and "two" at positions 0 and 1, then a forged message, then "three". */
async function forgedBetween(forge: (subject: string) => Promise<number>): Promise<string> {
  const session = await makeSession(bus);
  await send(session.id, "one");
  await send(session.id, "two");
  await forge(SUBJECTS.log(session.id));
  const [three] = (await send(session.id, "three")).events;
  expect(three?.seq).toBe(2);
  return session.id;
}

async function expectWhole(sessionId: string): Promise<void> {
  const asc = await list(sessionId);
  expect(texts(asc.data)).toEqual(["one", "two", "three"]);
  expect(asc.data.map((e) => e.seq)).toEqual([0, 1, 2]);
  expect(asc.last_seq).toBe(2);
  const desc = await list(sessionId, "desc");
  expect(desc.data.map((e) => e.seq)).toEqual([2, 1, 0]);
}

describe("a message without a valid position on a session's log", () => {
  test("without position headers: ignored by events.list, and the next event takes the next position", async () => {
    const sessionId = await forgedBetween((subject) =>
      publishRaw(bus, subject, JSON.stringify({ events: [{ type: "user.message", seq: 0 }] })),
    );
    await expectWhole(sessionId);
  });

  test("as the last message of the log: the history stays readable and appends continue after it", async () => {
    const session = await makeSession(bus);
    await send(session.id, "one");
    await send(session.id, "two");
    await publishRaw(bus, SUBJECTS.log(session.id), "not json at all");
    expect(texts((await list(session.id)).data)).toEqual(["one", "two"]);
    expect((await list(session.id)).last_seq).toBe(1);
    expect((await send(session.id, "three")).events[0]?.seq).toBe(2);
    await expectWhole(session.id);
  });

  test("with position headers but a body that is not a batch: ignored, positions unshifted", async () => {
    const sessionId = await forgedBetween((subject) =>
      publishRaw(bus, subject, JSON.stringify({ nope: true }), {
        [LOG_HEADERS.firstSeq]: "2",
        [LOG_HEADERS.count]: "1",
        [LOG_HEADERS.types]: "user.message",
      }),
    );
    await expectWhole(sessionId);
  });

  test("with headers that do not match its body: ignored, positions unshifted", async () => {
    const sessionId = await forgedBetween((subject) =>
      publishRaw(bus, subject, JSON.stringify({ events: [{ type: "user.message", id: "sevt_x", seq: 7 }] }), {
        [LOG_HEADERS.firstSeq]: "2",
        [LOG_HEADERS.count]: "3",
      }),
    );
    await expectWhole(sessionId);
  });

  test("a live tail from the start skips it and goes on with the events after it", async () => {
    const sessionId = await forgedBetween((subject) => publishRaw(bus, subject, "{}"));
    const log = await openSessionLog(bus);
    const stop = new AbortController();
    const seen: SessionEvent[] = [];
    for await (const event of tailEvents(log, sessionId, 0, stop.signal)) {
      seen.push(event);
      if (seen.length === 3) stop.abort();
    }
    expect(texts(seen)).toEqual(["one", "two", "three"]);
  });

  test("a well-formed batch without position headers does not change the session's record", async () => {
    // Folded, it would terminate the session, and a terminated session takes no more client events.
    const forged = {
      type: "session.status_terminated",
      id: "sevt_forged",
      seq: 2,
      processed_at: new Date().toISOString(),
    };
    const sessionId = await forgedBetween((subject) =>
      publishRaw(bus, subject, JSON.stringify({ events: [forged] }), {
        [LOG_HEADERS.types]: "session.status_terminated",
      }),
    );
    await waitFor(async () => {
      const info = await bus.jsm.consumers.info(STREAMS.sessions, "session-store-projector");
      return info.num_pending === 0 && info.num_ack_pending === 0;
    });
    const record = await request(bus, STORE_RPC.sessionsGet, { session_id: sessionId });
    expect(record.status).not.toBe("terminated");
    expect((await send(sessionId, "four")).events[0]?.seq).toBe(3);
  });

  test("announcing a waking event over a body that is not JSON, it does not hold up the store's projector", async () => {
    const sessionId = await forgedBetween((subject) =>
      publishRaw(bus, subject, "{not json", {
        [LOG_HEADERS.firstSeq]: "2",
        [LOG_HEADERS.count]: "1",
        [LOG_HEADERS.types]: "user.message",
      }),
    );
    await expectWhole(sessionId);
    // A message the projector cannot take would be redelivered for good, never acknowledged.
    await waitFor(
      async () =>
        (await bus.jsm.consumers.info(STREAMS.sessions, "session-store-projector")).num_ack_pending === 0,
      { message: "the projector still holds an unacknowledged log message" },
    );
  });
});

describe("with NATS users and permissions as `corral up` starts them", () => {
  let stack: BrainStack;
  let harnessUser: Bus;

  beforeAll(async () => {
    stack = await startBrainStack({}, undefined, { auth: true });
    harnessUser = await connectBus(busConfigFor(stack.nats.url, "harness", "probe"));
  });

  afterAll(async () => {
    await harnessUser?.close();
    await stack?.close();
  });

  test("the harness may not publish on a log, and still runs a session to its end through the store", async () => {
    expect(await probePublish(harnessUser, SUBJECTS.log("sesn_forged"))).toBe("denied");
    const sid = await newSession(stack.bus);
    stack.model.script({ type: "message", content: [{ type: "text", text: "written by the store" }] });
    await sendTo(stack.bus, sid, say("hello"));
    await eventsUntil(stack.bus, sid, isIdle);
    const events = await allEvents(stack.bus, sid);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    expect(events.find((e) => e.type === "agent.message")).toMatchObject({
      content: [{ type: "text", text: "written by the store" }],
    });
    expect(events.at(-1)).toMatchObject({ type: "session.status_idle", stop_reason: { type: "end_turn" } });
  });
});
