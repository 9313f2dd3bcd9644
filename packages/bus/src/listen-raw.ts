import type { Bus } from "./connect.js";

/**
 * Takes every message on `subject` and never answers: for tests, a responder whose reply is lost (a
 * request to it waits out its timeout). Returns the function that stops listening.
 */
export function listenRaw(bus: Bus, subject: string, onMessage: (subject: string) => void): () => void {
  const sub = bus.nc.subscribe(subject, {
    callback: (err, msg) => {
      if (!err) onMessage(msg.subject);
    },
  });
  return () => sub.unsubscribe();
}
