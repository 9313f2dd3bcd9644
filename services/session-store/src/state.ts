import {
  AgentRecord,
  BUCKETS,
  EnvironmentId,
  EnvironmentRecord,
  TaskRecord,
  ThreadId,
  type SessionId,
} from "@corral/protocol";
import {
  createLogWriter,
  ensureStreams,
  openResilientBucket,
  openSessionLog,
  type Bucket,
  type Bus,
  type LogWriter,
  type SessionLog,
} from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { StoreConfig } from "./config.js";
import { StoredSession, StoredThread } from "./records/stored-records.js";

/** The buckets the session-store owns and alone writes. Two handles share a bucket where keys hold two kinds. */
export interface StoreBuckets {
  /** `<agent_id>`: the latest version; `<agent_id>.v.<00000001>`: every version. */
  agents: Bucket<AgentRecord>;
  environments: Bucket<EnvironmentRecord>;
  /** `name.<hex>` in the environments bucket: who holds a name (names are unique). */
  environmentNames: Bucket<EnvironmentId>;
  sessions: Bucket<StoredSession>;
  threads: Bucket<StoredThread>;
  /** In the threads bucket: `idx.<session_id>.<thread_id>` (listing) and `ask.<session_id>.<event_id>` (who asked). */
  threadKeys: Bucket<ThreadId>;
  tasks: Bucket<TaskRecord>;
}

/** What a send needs to know of a session before it reaches the log (see gate.ts). */
export interface GateEntry {
  archived: boolean;
  terminated: boolean;
  /** The record's revision this was read from: an older one never replaces it. */
  revision: number;
}

/** Archive and terminate state per session, cached for the append path; kept as the record changes. */
export interface GateCache {
  sessions: Map<SessionId, GateEntry>;
}

/** Everything a handler needs, passed explicitly: the store's state is this object and nothing else. */
export interface StoreState {
  bus: Bus;
  logger: Logger;
  buckets: StoreBuckets;
  log: SessionLog;
  /** The one log writer of this replica: every append of the store goes through it. */
  writer: LogWriter;
  gate: GateCache;
}

/**
 * How long one bucket call rides out a NATS outage or leader election before it fails: short of the
 * 10 s a caller waits for an RPC answer, so the caller hears the failure and may send again.
 */
export const BUCKET_DEADLINE_MS = 8_000;

async function openBuckets(bus: Bus, replicas: number): Promise<StoreBuckets> {
  const options = { replicas };
  const resilience = { deadlineMs: BUCKET_DEADLINE_MS };
  const [agents, environments, environmentNames, sessions, threads, threadKeys, tasks] = await Promise.all([
    openResilientBucket(bus, BUCKETS.agents, AgentRecord, resilience, options),
    openResilientBucket(bus, BUCKETS.environments, EnvironmentRecord, resilience, options),
    openResilientBucket(bus, BUCKETS.environments, EnvironmentId, resilience, options),
    openResilientBucket(bus, BUCKETS.sessions, StoredSession, resilience, options),
    openResilientBucket(bus, BUCKETS.threads, StoredThread, resilience, options),
    openResilientBucket(bus, BUCKETS.threads, ThreadId, resilience, options),
    openResilientBucket(bus, BUCKETS.tasks, TaskRecord, resilience, options),
  ]);
  return { agents, environments, environmentNames, sessions, threads, threadKeys, tasks };
}

export async function openStoreState(deps: {
  bus: Bus;
  logger: Logger;
  config: StoreConfig;
}): Promise<StoreState> {
  const { bus, logger, config } = deps;
  await ensureStreams(bus, { replicas: config.replicas, duplicateWindowMs: config.duplicateWindowMs });
  const buckets = await openBuckets(bus, config.replicas);
  const log = await openSessionLog(bus);
  return { bus, logger, buckets, log, writer: createLogWriter({ bus, log }), gate: { sessions: new Map() } };
}
