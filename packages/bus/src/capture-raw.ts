import type { Bus } from "./connect.js";

/**
 * Records every message published on `subject` as its payload's text, without answering: for tests that
 * look at what travels on the bus (e.g. that a secret never does). Returns the texts so far and a stop.
 */
export function captureRaw(bus: Bus, subject: string): { texts(): string[]; stop(): void } {
  const texts: string[] = [];
  const sub = bus.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (!err) texts.push(new TextDecoder().decode(msg.data));
    },
  });
  return { texts: () => [...texts], stop: () => sub.unsubscribe() };
}
