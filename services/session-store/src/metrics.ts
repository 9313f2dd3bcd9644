import { STREAMS, type SessionEvent } from "@corral/protocol";
import { streamBacklog, type AppendInput, type Bus, type LogWriter } from "@corral/bus";
import { counter, gauge, histogram, secondsSince } from "@corral/metrics";

const appends = counter({
  name: "corral_store_appends_total",
  help: "Batches appended to session logs, by path (api: sends and service appends; runner: a harness's log.append) and outcome",
  labelNames: ["path", "outcome"],
});

const eventsAppended = counter({
  name: "corral_store_events_appended_total",
  help: "Events appended to session logs, by path",
  labelNames: ["path"],
});

const appendSeconds = histogram({
  name: "corral_store_append_seconds",
  help: "Time to store one batch in its log (the JetStream write), by path",
  labelNames: ["path"],
});

/** A batch appended through the writer, counted and timed (no extra round trip: only the clock is read). */
export function meteredAppend(
  writer: LogWriter,
  input: AppendInput,
  path: "api" | "runner",
): Promise<SessionEvent[]> {
  const startMs = performance.now();
  return writer.append(input).then(
    (events) => {
      appendSeconds.observe({ path }, secondsSince(startMs));
      appends.inc({ path, outcome: "ok" });
      eventsAppended.inc({ path }, events.length);
      return events;
    },
    (error: unknown) => {
      appends.inc({ path, outcome: "error" });
      throw error;
    },
  );
}

const buses = new Set<Bus>();

// Read when scraped: one stream-info request. Every store replica reports the same figure (take the max).
gauge({
  name: "corral_store_wakes_pending",
  help: "Wakes in the CORRAL_WAKE work queue not yet acked by a harness (taken or waiting)",
  async collect() {
    const [bus] = buses;
    const backlog = bus ? await streamBacklog(bus, STREAMS.wake) : null;
    if (backlog !== null) this.set(backlog);
  },
});

/** Reports the wake backlog through `bus` on every scrape until the returned function is called. */
export function reportWakeBacklog(bus: Bus): () => void {
  buses.add(bus);
  return () => void buses.delete(bus);
}
