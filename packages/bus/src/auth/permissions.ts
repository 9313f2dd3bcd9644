import {
  BUCKETS,
  HOST_RPC,
  OBJECT_STORES,
  MCP_RPC,
  MEMORY_RPC,
  SANDBOX_MEMORY_RPCS,
  SANDBOX_RPC,
  SESSION_RESOURCE_RPC,
  OUTPUT_RPC,
  STORE_RPC,
  STREAMS,
  SUBJECTS,
  TASKS_CONSUMER,
  PROJECTOR_CONSUMER,
  THREAD_RPC,
  VAULT_RPC,
  WAKE_CONSUMER,
  type RpcDef,
} from "@corral/protocol";
import {
  consume,
  listen,
  ownBucket,
  ownStream,
  readBucket,
  readStream,
  send,
  serve,
  union,
  type Grant,
} from "./grants.js";
import { statusGrant } from "./status-grants.js";
import { ownObjectStore, readObjectStore } from "./object-store-grants.js";

/** Every NATS user of a Corral deployment: one per service, the task publisher, and the operator. */
export const NATS_USERS = [
  "session-store",
  "harness",
  "gateway",
  "credential-proxy",
  "sandbox-manager",
  "tasks",
  "admin",
] as const;
export type NatsUser = (typeof NATS_USERS)[number];
export const isNatsUser = (name: string): name is NatsUser =>
  (NATS_USERS as readonly string[]).includes(name);

/** The services' users (they authenticate with nkeys); `tasks` uses a password any NATS client can send. */
export const SERVICE_USERS = NATS_USERS.filter((u): u is Exclude<NatsUser, "tasks"> => u !== "tasks");

/** Where a user's request replies arrive: its own inbox prefix, so no user reads another's replies. */
export const inboxPrefix = (user: NatsUser) => (user === "tasks" ? "_INBOX" : `_INBOX_${user}`);

const subjects = (defs: Record<string, RpcDef>, ...names: string[]) =>
  names.map((name) => {
    const def = defs[name];
    if (!def) throw new Error(`no RPC named ${name}`);
    return def.subject;
  });

const everyStoreRpc = Object.values(STORE_RPC).map((d) => d.subject);
const userFacingStoreRpc = Object.entries(STORE_RPC)
  .filter(([name]) => !name.endsWith("Append"))
  .map(([, d]) => d.subject);
const everyThreadRpc = Object.values(THREAD_RPC).map((d) => d.subject);
const everyVaultRpc = Object.values(VAULT_RPC).map((d) => d.subject);
const everySandboxRpc = Object.values(SANDBOX_RPC).map((d) => d.subject);
const everyMcpRpc = Object.values(MCP_RPC).map((d) => d.subject);
const everySessionResourceRpc = Object.values(SESSION_RESOURCE_RPC).map((d) => d.subject);
const userFacingResourceRpc = subjects(SESSION_RESOURCE_RPC, "list", "get", "add", "update", "delete");
const everyMemoryRpc = Object.values(MEMORY_RPC).map((d) => d.subject);
const sandboxMemoryRpc = SANDBOX_MEMORY_RPCS.map((d) => d.subject);
const userFacingMemoryRpc = everyMemoryRpc.filter((s) => !sandboxMemoryRpc.includes(s));
const logged = SUBJECTS.loggedAll;
const deltas = SUBJECTS.delta("*");

/**
 * What each user may do, as grants (see grants.ts). The session-store owns the streams and is the only
 * writer of session logs; each bucket has one owner that writes it, and is read by the few that must.
 */
const MATRIX: Record<Exclude<NatsUser, "admin">, Grant[]> = {
  "session-store": [
    ownStream(STREAMS.sessions),
    ownStream(STREAMS.wake),
    ownStream(STREAMS.tasks),
    consume(STREAMS.tasks, TASKS_CONSUMER),
    consume(STREAMS.sessions, PROJECTOR_CONSUMER),
    send(SUBJECTS.logAll, SUBJECTS.wakeAll),
    listen(logged),
    ...[BUCKETS.sessions, BUCKETS.agents, BUCKETS.environments, BUCKETS.tasks, BUCKETS.threads].map(
      ownBucket,
    ),
    ownBucket(BUCKETS.logIndex),
    readBucket(BUCKETS.leases),
    serve(...everyStoreRpc, ...everyThreadRpc),
    serve(...everySessionResourceRpc),
    ownBucket(BUCKETS.memoryStores),
    ownBucket(BUCKETS.memories),
    serve(...everyMemoryRpc),
    send(...subjects(SANDBOX_RPC, "list", "handoff", "destroy")),
    // A new session's vaults must be of its workspace: the store asks the vault's owner.
    send(...subjects(VAULT_RPC, "vaultsGet")),
  ],
  harness: [
    readStream(STREAMS.sessions),
    readStream(STREAMS.wake),
    consume(STREAMS.wake, WAKE_CONSUMER),
    send(SUBJECTS.wakeAll, deltas),
    listen(logged),
    ownBucket(BUCKETS.leases),
    readBucket(BUCKETS.logIndex),
    send(...subjects(STORE_RPC, "agentsGet", "environmentsGet", "sessionsGet", "eventsAppend", "logAppend")),
    send(...subjects(THREAD_RPC, "create", "get", "list")),
    send(...subjects(SANDBOX_RPC, "provision", "get", "execute", "handoff")),
    send(...everyMcpRpc),
  ],
  gateway: [
    readStream(STREAMS.sessions),
    listen(logged, deltas),
    readBucket(BUCKETS.logIndex),
    ownBucket(BUCKETS.apiKeys),
    // Uploaded files: their records and their bytes (the only writer of both).
    ownBucket(BUCKETS.files),
    ownObjectStore(OBJECT_STORES.files),
    // What agents wrote under their sessions' outputs folder: staged by the sandbox-manager, adopted here.
    serve(OUTPUT_RPC.adopt.subject),
    readObjectStore(OBJECT_STORES.sessionOutputs),
    // Everything a client of the API may ask; never an append (that is how services record what they did).
    send(...userFacingStoreRpc, ...everyThreadRpc, ...everyVaultRpc),
    send(...userFacingResourceRpc),
    send(...userFacingMemoryRpc),
  ],
  "credential-proxy": [
    ownBucket(BUCKETS.vault),
    ownBucket(BUCKETS.secrets),
    ownBucket(BUCKETS.mcpLedger),
    readBucket(BUCKETS.sandboxes),
    serve(...everyVaultRpc, ...everyMcpRpc, HOST_RPC.egressConfig.subject),
    send(...subjects(STORE_RPC, "eventsAppend", "sessionsGet", "environmentsGet", "agentsGet")),
    send(...subjects(THREAD_RPC, "get")),
    // Repository tokens, sealed to this service's key, for the egress of the session's sandboxes.
    send(...subjects(SESSION_RESOURCE_RPC, "tokens")),
    listen(SUBJECTS.execTrace("*")),
  ],
  "sandbox-manager": [
    ownBucket(BUCKETS.sandboxes),
    ownBucket(BUCKETS.toolLedger),
    serve(...everySandboxRpc),
    // Each host's egress config and provisions placed on a host (the manager that places them asks).
    serve(HOST_RPC.provision.subject),
    send(HOST_RPC.egressConfig.subject, HOST_RPC.provision.subject, SUBJECTS.execTrace("*")),
    // File resources: the session (to mount them at provisioning) and the files' bytes, read-only.
    send(...subjects(STORE_RPC, "sessionsGet")),
    readObjectStore(OBJECT_STORES.files),
    // Session outputs: staged here, then adopted as files by the gateway (their owner).
    ownObjectStore(OBJECT_STORES.sessionOutputs),
    send(OUTPUT_RPC.adopt.subject),
    // Memory stores mounted in sessions: read a store's content, write back what the agent changed.
    send(...sandboxMemoryRpc),
  ],
  tasks: [
    send(SUBJECTS.tasksSubmit),
    send(...subjects(STORE_RPC, "tasksGet", "eventsList", "sessionsGet")),
    send(...subjects(THREAD_RPC, "list", "get")),
  ],
};

export interface UserPermissions {
  publish: string[];
  subscribe: string[];
}

/** The allow lists of one user: its grants, the JetStream account info every client asks, its inbox. */
export function permissionsOf(user: NatsUser): UserPermissions {
  if (user === "admin") return { publish: [">"], subscribe: [">"] };
  const base = { publish: ["$JS.API.INFO"], subscribe: [`${inboxPrefix(user)}.>`] };
  return union([base, ...MATRIX[user], statusGrant(user)]);
}
