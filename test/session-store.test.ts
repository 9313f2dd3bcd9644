import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import {
  PROJECTOR_CONSUMER,
  STORE_RPC,
  STREAMS,
  isCorralError,
  type EventsListResponse,
  type SessionEvent,
} from "@corral/protocol";
import { request, type Bus } from "@corral/bus";
import { startSystem, untilAnswers, type ServiceProcess, type TestSystem } from "@corral/testing";

let system: TestSystem;
let bus: Bus;

function startReplica(): ServiceProcess {
  return system.spawn("session-store");
}

const ready = () => untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));

async function newSession(): Promise<string> {
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "a", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, { name: `e-${Math.random()}` });
  return (await request(bus, STORE_RPC.sessionsCreate, { agent: agent.id, environment_id: env.id })).id;
}

const message = (writer: number, n: number) => ({
  type: "agent.message" as const,
  content: [{ type: "text" as const, text: `${writer}:${n}` }],
});

/** `count` agent messages of `chars` characters each, to try the payload limit with. */
const bulkyMessages = (count: number, chars: number) =>
  Array.from({ length: count }, () => ({
    type: "agent.message" as const,
    content: [{ type: "text" as const, text: "x".repeat(chars) }],
  }));

/** Appends like the harness does: a key per batch, retried until it lands, whatever fails in between. */
async function appendUntilStored(sessionId: string, writer: number, n: number): Promise<void> {
  for (;;) {
    try {
      await request(
        bus,
        STORE_RPC.eventsAppend,
        {
          session_id: sessionId,
          events: [message(writer, n), message(writer, n)],
          idempotency_key: `w${writer}-${n}`,
        },
        { timeoutMs: 2000 },
      );
      return;
    } catch (error) {
      if (!isCorralError(error) || !error.retryable) throw error;
      await sleep(50);
    }
  }
}

async function allEvents(sessionId: string): Promise<SessionEvent[]> {
  const events: SessionEvent[] = [];
  let from: number | null = 0;
  while (from !== null) {
    const page: EventsListResponse = await request(bus, STORE_RPC.eventsList, {
      session_id: sessionId,
      from,
      limit: 1000,
    });
    events.push(...page.data);
    from = page.next_from;
  }
  return events;
}

/** Every batch stored exactly once, its two events side by side, and positions 0..n-1 with no hole. */
function expectIntact(events: SessionEvent[], writers: number, perWriter: number): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  const labels = events.map((e) =>
    e.type === "agent.message" && e.content[0]?.type === "text" ? e.content[0].text : "?",
  );
  for (let i = 0; i < labels.length; i += 2) expect(labels[i]).toBe(labels[i + 1]);
  const batches = labels.filter((_, i) => i % 2 === 0);
  expect(new Set(batches).size).toBe(batches.length);
  expect(batches.length).toBe(writers * perWriter);
}

beforeAll(async () => {
  system = await startSystem("system-test");
  bus = system.bus;
  startReplica();
  startReplica();
  await ready();
});

afterAll(async () => {
  await system.stop();
});

describe("session-store under concurrency and failure", () => {
  test("concurrent writers through two replicas never interleave, lose or duplicate a batch", async () => {
    const sessionId = await newSession();
    const writers = 8;
    const perWriter = 25;
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let n = 0; n < perWriter; n++) await appendUntilStored(sessionId, w, n);
      }),
    );
    expectIntact(await allEvents(sessionId), writers, perWriter);
  });

  test("the projector acknowledges what it folded: nothing left pending, nothing delivered twice", async () => {
    const sessionId = await newSession();
    for (let n = 0; n < 5; n++) await appendUntilStored(sessionId, 9, n);
    const settled = async () => {
      const info = await bus.jsm.consumers.info(STREAMS.sessions, PROJECTOR_CONSUMER);
      return info.num_ack_pending === 0 && info.num_pending === 0 ? info : null;
    };
    let info = await settled();
    for (let i = 0; !info && i < 100; i++) info = (await sleep(100), await settled());
    expect(info, "the projector's messages are still unacknowledged").not.toBeNull();
    expect(info!.num_redelivered).toBe(0);
  });

  test("a replica SIGKILLed mid-stream loses nothing: retried appends land once", async () => {
    const sessionId = await newSession();
    const victim = startReplica();
    await sleep(500);
    const writing = Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let n = 0; n < 60; n++) await appendUntilStored(sessionId, w, n);
      }),
    );
    await sleep(150);
    await victim.kill("SIGKILL");
    await system.processes[0]!.kill("SIGKILL");
    startReplica();
    await writing;
    expectIntact(await allEvents(sessionId), 4, 60);
  });

  test("nats-server killed and restarted mid-stream loses nothing", async () => {
    const sessionId = await newSession();
    const writing = Promise.all(
      Array.from({ length: 3 }, async (_, w) => {
        for (let n = 0; n < 60; n++) await appendUntilStored(sessionId, w, n);
      }),
    );
    await sleep(200);
    await system.nats.restart();
    await writing;
    await ready();
    expectIntact(await allEvents(sessionId), 3, 60);
  });

  test("slices at the start, middle and end of a 100,000-event session", async () => {
    const sessionId = await newSession();
    const batch = Array.from({ length: 500 }, (_, i) => message(0, i));
    for (let i = 0; i < 200; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, 200 - i) }, (_, j) =>
          request(bus, STORE_RPC.eventsAppend, {
            session_id: sessionId,
            events: batch,
            idempotency_key: `big-${i + j}`,
          }),
        ),
      );
    }
    for (const from of [0, 50_000, 99_990]) {
      const page = await request(bus, STORE_RPC.eventsList, { session_id: sessionId, from, limit: 10 });
      expect(page.data.map((e) => e.seq)).toEqual(Array.from({ length: 10 }, (_, i) => from + i));
      expect(page.last_seq).toBe(99_999);
    }
    const end = await request(bus, STORE_RPC.eventsList, { session_id: sessionId, order: "desc", limit: 3 });
    expect(end.data.map((e) => e.seq)).toEqual([99_999, 99_998, 99_997]);
  });

  test("an oversize batch is refused and the session is unchanged", async () => {
    const sessionId = await newSession();
    await request(bus, STORE_RPC.eventsAppend, { session_id: sessionId, events: [message(0, 0)] });
    const huge = bulkyMessages(4, 300_000);
    await expect(
      request(bus, STORE_RPC.eventsAppend, { session_id: sessionId, events: huge }),
    ).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    const near = bulkyMessages(3, 348_600);
    await expect(
      request(bus, STORE_RPC.eventsAppend, { session_id: sessionId, events: near }),
    ).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
    expect((await allEvents(sessionId)).length).toBe(1);
  });
});
