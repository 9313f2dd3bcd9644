import type { Bus } from "./connect.js";

/**
 * How many messages a stream holds now (for a work queue: taken or not, not yet acked), or null when
 * JetStream does not answer in time. One stream-info request: cheap enough for a metrics scrape.
 */
export async function streamBacklog(bus: Bus, stream: string): Promise<number | null> {
  const info = await bus.jsm.streams.info(stream).catch(() => null);
  return info?.state.messages ?? null;
}
