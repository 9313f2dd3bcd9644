export { connectBus, busConfigFromEnv } from "./connect.js";
export type { Bus, BusConfig } from "./connect.js";
export { serve, request, requestRaw } from "./rpc.js";
export { publishRaw } from "./publish-raw.js";
export { listenRaw } from "./listen-raw.js";
export { captureRaw } from "./capture-raw.js";
export type { RpcHandler, ServeOptions, RequestOptions } from "./rpc.js";
export { ensureStreams, awaitStreams, openBucket, ensureWorkConsumer } from "./streams.js";
export { CORRAL_STREAMS, verifyReplicas, setReplicas } from "./replicas.js";
export type { ReplicaChange } from "./replicas.js";
export { readLeaders } from "./read-leaders.js";
export type { StreamLeaders } from "./read-leaders.js";
export type { TopologyConfig, BucketName, WorkConsumerOptions } from "./streams.js";
export { openSessionLog, isWrongLastSequence } from "./log.js";
export type { SessionLog, LogHead, LogMessage, AppendOptions } from "./log.js";
export { readSlice, tailEvents } from "./log-reader.js";
export { positionedBatch } from "./log-message.js";
export { createLogWriter, wakesSession } from "./log-writer.js";
export type { LogWriter, AppendInput } from "./log-writer.js";
export type { SliceQuery, Slice } from "./log-reader.js";
export { publishSweepWake } from "./wake.js";
export { traceContextOf } from "./trace-context.js";
export { announceExecTrace, followExecTraces } from "./exec-trace.js";
export { publishDelta, subscribeDeltas, subscribeStored, subscribeStoredAll, flush } from "./live.js";
export type { Unsubscribe } from "./live.js";
export { openTypedBucket, typedBucket } from "./bucket.js";
export type { Bucket, BucketChange } from "./bucket.js";
export { getJson, createJson, putJson, updateJson, isKeyConflict, storedKeys } from "./kv.js";
export type { Versioned } from "./kv.js";
export { nanos, millis, headers } from "@nats-io/transport-node";
export type { Msg, MsgHdrs, Subscription, NatsConnection } from "@nats-io/transport-node";
export type { JsMsg, Consumer, PubAck } from "@nats-io/jetstream";
export type { KV } from "@nats-io/kv";
export { stopOnSignals } from "./lifecycle.js";
export { decodeCursor, encodeCursor, listPage } from "./pagination.js";
export type { PageOf, ListOptions } from "./pagination.js";
export { listBucketPage } from "./bucket-page.js";
export { retrying, isRetryable, backoffMs } from "./retry.js";
export { serialRuns } from "./serial-runs.js";
export type { RetryOptions } from "./retry.js";
export { consumeWorkQueue } from "./work-queue.js";
export type { WorkItem, WorkOutcome, WorkQueueOptions, WorkLoop } from "./work-queue.js";
export { retryingBucket, bucketFailure } from "./retrying-bucket.js";
export { openResilientBucket } from "./resilient-bucket.js";
export type { Resilience } from "./resilient-bucket.js";
export {
  NATS_USERS,
  SERVICE_USERS,
  isNatsUser,
  inboxPrefix,
  permissionsOf,
  ensureAuthMaterial,
  renderServerConfig,
  usersBlock,
  authBusConfig,
  authEnv,
  probePublish,
  probeSubscribe,
  probeOperation,
} from "./auth/index.js";
export type {
  NatsUser,
  UserPermissions,
  AuthMaterial,
  ServerConfigOptions,
  ProbeResult,
} from "./auth/index.js";
export { serveHealth, healthConfigFromEnv } from "./health.js";
export { streamBacklog } from "./stream-backlog.js";
export type { HealthServer, HealthOptions, ReadinessCheck } from "./health.js";
export { openObjectStore } from "./object-store.js";
export type { ObjectStore, ObjectStoreName, StoredObject } from "./object-store.js";
export { gatherServiceStatus, ServiceStatus, STATUS_SERVICES } from "./service-status.js";
