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
}

export interface WorkLoop {
  stop(): Promise<void>;
}

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

/**
 * Handles a durable work queue one message at a time, on a consumer shared by every replica: each
 * message goes to one replica and is settled by what `handle` returns.
 */
export async function consumeWorkQueue(
  bus: Bus,
  options: WorkQueueOptions,
  handle: (item: WorkItem) => Promise<WorkOutcome>,
): Promise<WorkLoop> {
  const consumer = await ensureWorkConsumer(bus, options.stream, options.consumer, options);
  // Short pulls with frequent heartbeats: a consumer whose leader moved (a node lost) is noticed after two
  // missed heartbeats, about 2 s, not the 30 s of the defaults.
  const messages = await consumer.consume({
    max_messages: options.batch,
    expires: 4000,
    idle_heartbeat: 1000,
  });
  let stopped = false;
  const running = (async () => {
    for await (const msg of messages) {
      if (stopped && options.onStop === "leave") break;
      settle(msg, await handle(toItem(msg)));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await messages.close();
      await running.catch(() => undefined);
    },
  };
}
