import type { Bus } from "../connect.js";

export type ProbeResult = "allowed" | "denied";

const isPermissionError = (error: unknown) =>
  error instanceof Error && /permission/i.test(`${error.name} ${error.message}`);

/** Collects the server's permission errors about `subject` while `action` runs and the server catches up. */
async function watchingErrors(bus: Bus, subject: string, action: () => void): Promise<ProbeResult> {
  const denied: string[] = [];
  // The iterator nats.js returns can be stopped (its declared type does not say so).
  const statuses = bus.nc.status() as ReturnType<Bus["nc"]["status"]> & { stop(): void };
  const watching = (async () => {
    for await (const status of statuses) {
      if (
        status.type === "error" &&
        isPermissionError(status.error) &&
        status.error.message.includes(subject)
      )
        denied.push(status.error.message);
    }
  })();
  action();
  // The server answers in order: a violation is reported before the PONG of the flush after it.
  await bus.nc.flush();
  await new Promise((resolve) => setImmediate(resolve));
  statuses.stop();
  await watching;
  return denied.length > 0 ? "denied" : "allowed";
}

/** Publishes one message and says whether the server refused it for this connection's user. */
export function probePublish(bus: Bus, subject: string, data = "{}"): Promise<ProbeResult> {
  return watchingErrors(bus, subject, () => bus.nc.publish(subject, data));
}

/** Subscribes to `subject` and says whether the server refused the subscription. */
export async function probeSubscribe(bus: Bus, subject: string): Promise<ProbeResult> {
  const sub = bus.nc.subscribe(subject);
  const result = await watchingErrors(bus, subject, () => undefined);
  sub.unsubscribe();
  return result;
}

/** Runs a JetStream or KV operation and says whether the server refused it for want of permission. */
export async function probeOperation(operation: () => Promise<unknown>): Promise<ProbeResult> {
  try {
    await operation();
    return "allowed";
  } catch (error) {
    if (isPermissionError(error)) return "denied";
    throw error;
  }
}
