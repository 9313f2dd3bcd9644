import { afterAll, beforeAll, expect, test } from "vitest";
import { startSystem, waitFor, type TestSystem } from "@corral/testing";
import { consumeWorkQueue, type Bus, type WorkItem, type WorkOutcome } from "./index.js";

let system: TestSystem;
let bus: Bus;

beforeAll(async () => {
  system = await startSystem("work-queue-test");
  bus = system.bus;
  await bus.jsm.streams.add({ name: "WORK_QUEUE_TEST", subjects: ["wq.>"] });
});

afterAll(async () => {
  await system.stop();
});

const options = (consumer: string) => ({
  stream: "WORK_QUEUE_TEST",
  consumer,
  filterSubject: `wq.${consumer}.>`,
  ackWaitMs: 30_000,
  batch: 32,
  onStop: "finish" as const,
  concurrency: 4,
  orderKey: (item: WorkItem) => item.subject,
});

test("items of other keys go on while one key's item is stuck; each key's items stay in order", async () => {
  let release!: () => void;
  const stuck = new Promise<void>((resolve) => (release = resolve));
  const handled: string[] = [];
  let inFlight = 0;
  let most = 0;
  const loop = await consumeWorkQueue(bus, options("order"), async (item): Promise<WorkOutcome> => {
    most = Math.max(most, ++inFlight);
    const body = item.json() as { n: number };
    if (item.subject === "wq.order.a" && body.n === 0) await stuck;
    await new Promise((resolve) => setTimeout(resolve, 5));
    handled.push(`${item.subject.slice(-1)}${body.n}`);
    inFlight--;
    return "ack";
  });
  try {
    for (let n = 0; n < 3; n++) await bus.js.publish("wq.order.a", JSON.stringify({ n }));
    for (let n = 0; n < 12; n++) await bus.js.publish(`wq.order.${"bcd"[n % 3]}`, JSON.stringify({ n }));
    await waitFor(() => handled.length === 12, { timeoutMs: 20_000, message: "the other keys' items" });
    expect(handled.some((h) => h.startsWith("a"))).toBe(false);
    release();
    await waitFor(() => handled.length === 15, { timeoutMs: 20_000, message: "the stuck key's items" });
    expect(handled.filter((h) => h.startsWith("a"))).toEqual(["a0", "a1", "a2"]);
    for (const key of "bcd") {
      const mine = handled.filter((h) => h.startsWith(key)).map((h) => Number(h.slice(1)));
      expect(mine).toEqual([...mine].sort((x, y) => x - y));
    }
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThan(1);
  } finally {
    release();
    await loop.stop();
  }
});

test("an item whose handler throws is delivered again", async () => {
  let calls = 0;
  const loop = await consumeWorkQueue(bus, options("throws"), async () => {
    if (++calls === 1) throw new Error("boom");
    return "ack";
  });
  try {
    await bus.js.publish("wq.throws.x", "{}");
    await waitFor(() => calls === 2, { timeoutMs: 20_000, message: "the redelivery" });
  } finally {
    await loop.stop();
  }
});
