import { nanos } from "@nats-io/transport-node";
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  DiscardPolicy,
  type Consumer,
  type StreamConfig,
} from "@nats-io/jetstream";
import type { KV, KvOptions } from "@nats-io/kv";
import { STREAMS, SUBJECTS, type BUCKETS, MAX_PAYLOAD_BYTES } from "@corral/protocol";
import type { Bus } from "./connect.js";
import { untilOwnerCreated, whileJetStreamStarts } from "./await-owner.js";
import { verifyReplicas } from "./replicas.js";

export interface TopologyConfig {
  /** 1 on a single server, 3 on a cluster. */
  replicas?: number;
  /** How long a retried append is recognised as a duplicate. */
  duplicateWindowMs?: number;
}

type NamedStreamConfig = Partial<StreamConfig> & { name: string };

function sessionStream(config: TopologyConfig): NamedStreamConfig {
  return {
    name: STREAMS.sessions,
    subjects: [SUBJECTS.logAll],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    allow_direct: true,
    deny_delete: true,
    republish: { src: SUBJECTS.logAll, dest: "corral.logged.{{wildcard(1)}}", headers_only: true },
    max_msg_size: MAX_PAYLOAD_BYTES,
    duplicate_window: nanos(config.duplicateWindowMs ?? 10 * 60_000),
    num_replicas: config.replicas ?? 1,
  };
}

function workQueue(name: string, subjects: string[], config: TopologyConfig): NamedStreamConfig {
  return {
    name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Workqueue,
    allow_direct: true,
    max_msg_size: MAX_PAYLOAD_BYTES,
    duplicate_window: nanos(config.duplicateWindowMs ?? 10 * 60_000),
    num_replicas: config.replicas ?? 1,
  };
}

async function ensureStream(bus: Bus, config: NamedStreamConfig): Promise<void> {
  await whileJetStreamStarts(bus, `stream ${config.name}`, () => addOrUpdate(bus, config));
}

async function addOrUpdate(bus: Bus, config: NamedStreamConfig): Promise<void> {
  await verifyReplicas(bus, config.name, config.num_replicas ?? 1);
  try {
    await bus.jsm.streams.add(config);
  } catch (error) {
    // 10058: a stream with this name exists with another config; keep it, update what may change.
    if (error instanceof JetStreamApiError && error.code === 10058) {
      await bus.jsm.streams.update(config.name, config).catch((updateError: unknown) => {
        // Some fields (e.g. republish on 2.9) cannot change on an existing stream: keep it and say so.
        bus.logger?.warn(
          { stream: config.name, err: updateError },
          "stream config could not be brought up to date; keeping the existing one",
        );
      });
      return;
    }
    throw error;
  }
}

/** Creates (or brings up to date) every stream Corral uses. Safe to call from any replica at any time. */
export async function ensureStreams(bus: Bus, topology: TopologyConfig = {}): Promise<void> {
  const config = { ...topology, replicas: topology.replicas ?? bus.replicas };
  await ensureStream(bus, sessionStream(config));
  await ensureStream(bus, workQueue(STREAMS.wake, [SUBJECTS.wakeAll], config));
  await ensureStream(bus, workQueue(STREAMS.tasks, [SUBJECTS.tasksSubmit], config));
}

export type BucketName = (typeof BUCKETS)[keyof typeof BUCKETS];

/** Opens a KV bucket, creating it if it is not there yet (its readers may create it too: see auth/grants.ts). */
export async function openBucket(bus: Bus, name: BucketName, options: Partial<KvOptions> = {}): Promise<KV> {
  const replicas = options.replicas ?? bus.replicas;
  // Reads go to the stream's leader, never a lagging follower (a get that decides something, e.g. "is
  // there such a session?", must see every write acknowledged before it).
  return whileJetStreamStarts(bus, `bucket ${name}`, async () => {
    const kv = await bus.kvm.create(name, { history: 1, allow_direct: false, ...options, replicas });
    await verifyReplicas(bus, `KV_${name}`, replicas);
    return kv;
  });
}

/** For the services that use Corral's streams but do not own them: resolves once the owner created them. */
export async function awaitStreams(bus: Bus, streams: readonly string[]): Promise<void> {
  for (const stream of streams) {
    const what = `stream ${stream}`;
    await untilOwnerCreated(bus, what, () =>
      whileJetStreamStarts(bus, what, () => bus.jsm.streams.info(stream)),
    );
  }
}

export interface WorkConsumerOptions {
  filterSubject: string;
  ackWaitMs: number;
  maxAckPending?: number;
}

/** A durable, explicit-ack pull consumer shared by every replica of one service (work-queue semantics). */
export async function ensureWorkConsumer(
  bus: Bus,
  stream: string,
  name: string,
  options: WorkConsumerOptions,
): Promise<Consumer> {
  const what = `consumer ${stream}.${name}`;
  await whileJetStreamStarts(bus, what, () => addConsumer(bus, stream, name, options));
  // Through the short-attempt context: a consumer that missed heartbeats (its leader lost) checks that it
  // still exists before pulling again, and with the long timeout that check alone outlasted an election
  // by 10 s (work, wakes and tasks all waited for it).
  return whileJetStreamStarts(bus, what, () => bus.attempt.js.consumers.get(stream, name));
}

function addConsumer(bus: Bus, stream: string, name: string, options: WorkConsumerOptions) {
  return bus.jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending ?? 1000,
    max_deliver: -1,
  });
}
