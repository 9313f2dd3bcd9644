import { jetstreamManager } from "@nats-io/jetstream";
import type { Bus } from "./connect.js";

/** Which cluster node leads a stream and each of its durable consumers (null: none now, or no answer). */
export interface StreamLeaders {
  stream: string;
  leader: string | null;
  consumers: { name: string; leader: string | null }[];
}

async function leadersOf(
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
  stream: string,
): Promise<StreamLeaders> {
  const info = await jsm.streams.info(stream).catch(() => null);
  if (!info) return { stream, leader: null, consumers: [] };
  const consumers: StreamLeaders["consumers"] = [];
  try {
    for await (const c of jsm.consumers.list(stream))
      if (c.config.durable_name) consumers.push({ name: c.name, leader: c.cluster?.leader ?? null });
  } catch {
    // A consumer list cut short by an election: the stream's own leader is still worth reporting.
  }
  return { stream, leader: info.cluster?.leader ?? null, consumers };
}

/**
 * The leaders of `streams` and their durable consumers on a JetStream cluster, each asked with a short
 * timeout (an election in progress answers null rather than waiting): for an operator's view of where
 * the load sits, and for benchmarks that kill the node leading the most.
 */
export async function readLeaders(
  bus: Bus,
  streams: readonly string[],
  timeoutMs = 1000,
): Promise<StreamLeaders[]> {
  const jsm = await jetstreamManager(bus.nc, { timeout: timeoutMs, checkAPI: false });
  return Promise.all(streams.map((stream) => leadersOf(jsm, stream)));
}
