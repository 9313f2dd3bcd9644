import { JetStreamApiError, type StreamConfig } from "@nats-io/jetstream";
import { BUCKETS, CorralError, OBJECT_STORES, STREAMS } from "@corral/protocol";
import type { Bus } from "./connect.js";

/** Every stream Corral keeps: its own, its buckets' (`KV_<bucket>`) and its object stores' (`OBJ_<store>`). */
export const CORRAL_STREAMS: readonly string[] = [
  ...Object.values(STREAMS),
  ...Object.values(BUCKETS).map((bucket) => `KV_${bucket}`),
  ...Object.values(OBJECT_STORES).map((store) => `OBJ_${store}`),
];

async function configOf(bus: Bus, stream: string): Promise<StreamConfig | null> {
  try {
    return (await bus.jsm.streams.info(stream)).config;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === 10059) return null;
    throw error;
  }
}

/**
 * Create-or-verify: a stream that exists with other replicas than this deployment's setting is an
 * error, never silently kept or lowered (one service must not undo another's config). `corral
 * nats-replicas N` moves a deployment from one setting to another.
 */
export async function verifyReplicas(bus: Bus, stream: string, wanted: number): Promise<void> {
  const actual = (await configOf(bus, stream))?.num_replicas;
  if (actual === undefined || actual === wanted) return;
  throw new CorralError(
    "INTERNAL",
    `stream ${stream} has ${actual} replica(s) but CORRAL_REPLICAS is ${wanted}: ` +
      `run \`corral nats-replicas ${wanted}\` to move every Corral stream and bucket, or set CORRAL_REPLICAS=${actual}`,
  );
}

export interface ReplicaChange {
  stream: string;
  from: number;
  to: number;
}

/** Sets every existing Corral stream and bucket to `replicas` (an operator's command, as `admin`). */
export async function setReplicas(bus: Bus, replicas: number): Promise<ReplicaChange[]> {
  const changes: ReplicaChange[] = [];
  for (const stream of CORRAL_STREAMS) {
    const config = await configOf(bus, stream);
    if (config === null || config.num_replicas === replicas) continue;
    await bus.jsm.streams.update(stream, { ...config, num_replicas: replicas });
    changes.push({ stream, from: config.num_replicas, to: replicas });
  }
  return changes;
}
