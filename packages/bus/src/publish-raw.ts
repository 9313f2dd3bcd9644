import { headers as natsHeaders } from "@nats-io/transport-node";
import type { Bus } from "./connect.js";

/**
 * Stores raw bytes on a stream subject, with whatever headers are given (none by default), and returns
 * the stream sequence: what a client in another language, or a forger, could put there. For tests of
 * what readers do with a message no Corral writer would make.
 */
export async function publishRaw(
  bus: Bus,
  subject: string,
  payload: string,
  headers: Record<string, string> = {},
  options: { timeoutMs?: number } = {},
): Promise<number> {
  const h = natsHeaders();
  for (const [name, value] of Object.entries(headers)) h.set(name, value);
  const ack = await bus.js.publish(subject, payload, {
    headers: h,
    ...(options.timeoutMs !== undefined && { timeout: options.timeoutMs }),
  });
  return ack.seq;
}
