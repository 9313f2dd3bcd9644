import type { JsMsg } from "@nats-io/jetstream";
import type { Bus } from "./connect.js";
import { ensureWorkConsumer, type WorkConsumerOptions } from "./streams.js";

/** A message taken from a work queue, as a handler sees it (no NATS handle). */
export interface WorkItem {
  subject: string;
  /** The stream sequence of the message. */
  seq: number;
  header(name: string): string | undefined;
  /** The payload parsed as JSON; throws when it is not JSON. */
  json(): unknown;
}

/** What becomes of an item: done (`ack`), delivered again after a delay (`retryInMs`), or dropped for good. */
export type WorkOutcome = "ack" | "drop" | { retryInMs: number };

export interface WorkQueueOptions extends WorkConsumerOptions {
  stream: string;
  /** The durable consumer every replica of the service shares. */
  consumer: string;
  /** Messages fetched ahead of the handler. */
  batch: number;
  /** `finish`: items already fetched are still handled after `stop`; `leave`: they are left for redelivery. */
  onStop: "finish" | "leave";
  /**
   * Items handled at once (default 1). Items with the same `orderKey` are still handled one after the
   * other, in order: one item stuck on a slow call (a leader election) holds only its own key's items.
   */
  concurrency?: number;
  orderKey?: (item: WorkItem) => string;
}

export interface WorkLoop {
  stop(): Promise<void>;
}

/** A handler that threw (none should: they settle their own failures) is tried again after this long. */
const THROWN_RETRY_MS = 1000;

function toItem(msg: JsMsg): WorkItem {
  return {
    subject: msg.subject,
    seq: msg.seq,
    header: (name) => msg.headers?.get(name) || undefined,
    json: () => msg.json(),
  };
}

function settle(msg: JsMsg, outcome: WorkOutcome): void {
  if (outcome === "ack") msg.ack();
  else if (outcome === "drop") msg.term();
  else msg.nak(outcome.retryInMs);
}

/** Runs handlers up to a limit at once, chaining those that share a key. */
function lanes(limit: number) {
  const inFlight = new Set<Promise<void>>();
  const tails = new Map<string, Promise<void>>();
  return {
    async add(key: string, work: () => Promise<void>): Promise<void> {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      // Never rejects (a settle on a closed connection at most: the item comes back after its ack wait),
      // so a key's next item always runs and nothing is left unhandled.
      const task = (tails.get(key) ?? Promise.resolve()).then(work).catch(() => undefined);
      tails.set(key, task);
      inFlight.add(task);
      void task.finally(() => {
        inFlight.delete(task);
        if (tails.get(key) === task) tails.delete(key);
      });
    },
    drain: () => Promise.all(inFlight),
  };
}

/**
 * Handles a durable work queue on a consumer shared by every replica: each message goes to one replica
 * and is settled by what `handle` returns. A handler that throws has its item delivered again shortly.
 */
export async function consumeWorkQueue(
  bus: Bus,
  options: WorkQueueOptions,
  handle: (item: WorkItem) => Promise<WorkOutcome>,
): Promise<WorkLoop> {
  const consumer = await ensureWorkConsumer(bus, options.stream, options.consumer, options);
  // Short pulls with frequent heartbeats: a consumer whose leader moved (a node lost) is noticed after two
  // missed heartbeats, about 2 s, not the 30 s of the defaults. Until its new leader answers, the client
  // checks again every pull expiry (jittered): 2 s keeps that within the 3 s a leader change may cost.
  const messages = await consumer.consume({
    max_messages: options.batch,
    expires: 2000,
    idle_heartbeat: 1000,
  });
  let stopped = false;
  const pool = lanes(options.concurrency ?? 1);
  const run = async (msg: JsMsg, item: WorkItem) =>
    settle(msg, await handle(item).catch((): WorkOutcome => ({ retryInMs: THROWN_RETRY_MS })));
  const running = (async () => {
    for await (const msg of messages) {
      if (stopped && options.onStop === "leave") break;
      const item = toItem(msg);
      await pool.add(options.orderKey?.(item) ?? `seq:${msg.seq}`, () => run(msg, item));
    }
    await pool.drain();
  })();
  return {
    async stop() {
      stopped = true;
      await messages.close();
      await running.catch(() => undefined);
    },
  };
}
