import { readFileSync } from "node:fs";
import {
  connect,
  credsAuthenticator,
  errors,
  nkeyAuthenticator,
  type NatsConnection,
  type ConnectionOptions,
} from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { TIMEOUTS } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import { inboxPrefix, isNatsUser } from "./auth/permissions.js";
import { answerStatusPings } from "./service-status.js";

export interface BusConfig {
  /** One URL or several (a cluster), e.g. `nats://127.0.0.1:4222`. */
  servers: string | string[];
  name: string;
  user?: string;
  pass?: string;
  token?: string;
  credsFile?: string;
  /** A file holding this client's nkey seed (see auth/material.ts). */
  nkeySeedFile?: string;
  /** Where request replies arrive; a service's permissions allow only its own (`_INBOX_<user>`). */
  inboxPrefix?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  requestTimeoutMs?: number;
  /** Replicas of every stream and bucket this client creates: 1 on one server, 3 on a cluster. */
  replicas?: number;
  logger?: Logger;
  /** Services wait for NATS to come up (default); a command-line tool fails fast instead. */
  waitOnFirstConnect?: boolean;
}

export interface Bus {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly kvm: Kvm;
  readonly name: string;
  readonly requestTimeoutMs: number;
  readonly replicas: number;
  readonly logger: Logger | undefined;
  /**
   * The same connection with short JetStream timeouts (`TIMEOUTS.jsAttemptMs`), for calls that are retried
   * when they time out (see resilient-bucket.ts): only where a repeat is safe.
   */
  readonly attempt: { js: JetStreamClient; jsm: JetStreamManager; kvm: Kvm };
  close(): Promise<void>;
}

/** CORRAL_REPLICAS: 1 to 5 (JetStream's range). */
function replicasSetting(value: string): number {
  const replicas = Number(value);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5)
    throw new Error(`CORRAL_REPLICAS must be an integer from 1 to 5, not ${JSON.stringify(value)}`);
  return replicas;
}

const readSeed = (file: string) => new TextEncoder().encode(readFileSync(file, "utf8").trim());

function connectionOptions(config: BusConfig): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: config.servers,
    name: config.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: config.waitOnFirstConnect ?? true,
    timeout: 5000,
    // Otherwise every request builds an Error up front for its stack, in case it fails: a measurable share
    // of a busy service's CPU (profiled in the harness under bench/ttft). Failures are mapped to
    // CorralError with their subject anyway.
    noAsyncTraces: true,
  };
  if (config.user !== undefined) options.user = config.user;
  if (config.pass !== undefined) options.pass = config.pass;
  if (config.token !== undefined) options.token = config.token;
  if (config.credsFile) options.authenticator = credsAuthenticator(readFileSync(config.credsFile));
  if (config.nkeySeedFile) options.authenticator = nkeyAuthenticator(readSeed(config.nkeySeedFile));
  if (config.inboxPrefix) options.inboxPrefix = config.inboxPrefix;
  if (config.tls) options.tls = config.tls;
  return options;
}

export async function connectBus(config: BusConfig): Promise<Bus> {
  const nc = await connect(connectionOptions(config));
  // No JetStream check at connect: a cluster still electing its leaders would fail it; the first
  // JetStream step of a service waits for it instead (see whileJetStreamStarts).
  const jsm = await jetstreamManager(nc, { timeout: 10_000, checkAPI: false });
  const js = jetstream(nc, { timeout: 10_000 });
  const attemptJs = jetstream(nc, { timeout: TIMEOUTS.jsAttemptMs });
  const attemptJsm = await jetstreamManager(nc, { timeout: TIMEOUTS.jsAttemptMs, checkAPI: false });
  watchStatus(nc, config.logger);
  const bus: Bus = {
    nc,
    js,
    jsm,
    kvm: new Kvm(js),
    attempt: { js: attemptJs, jsm: attemptJsm, kvm: new Kvm(attemptJs) },
    name: config.name,
    requestTimeoutMs: config.requestTimeoutMs ?? 10_000,
    replicas: config.replicas ?? 1,
    logger: config.logger,
    async close() {
      if (nc.isClosed()) return;
      await nc.drain().catch(() => nc.close());
    },
  };
  answerStatusPings(bus);
  return bus;
}

/** A refused publish to a requester's inbox: a reply the server no longer lets this client send. */
function isLateReply(error: Error): error is InstanceType<typeof errors.PermissionViolationError> {
  return (
    error instanceof errors.PermissionViolationError &&
    error.operation === "publish" &&
    error.subject.startsWith("_INBOX")
  );
}

function watchStatus(nc: NatsConnection, logger: Logger | undefined): void {
  if (!logger) return;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "reconnect") {
        logger.warn({ status: status.type, server: status.server }, "nats connection status");
      } else if (status.type === "error" && isLateReply(status.error)) {
        // A server knows the reply subjects of the requests it delivered; a request delivered before the
        // connection moved to another server (or that server restarted) is not among them.
        logger.warn(
          { subject: status.error.subject },
          "a reply to a request from before a reconnect was refused; its caller asks again",
        );
      } else if (status.type === "error") {
        // A permissions violation among them: this client asked for something its NATS user may not do.
        logger.error({ err: status.error }, "nats server error");
      }
    }
  })();
}

/**
 * Reads the connection settings every service shares from its environment (called from main.ts only).
 * `user` is the NATS user the client connects as (its replies arrive on that user's inbox prefix).
 */
export function busConfigFromEnv(env: NodeJS.ProcessEnv, name: string, user: string = name): BusConfig {
  const config: BusConfig = { servers: (env.NATS_URL ?? "nats://127.0.0.1:4222").split(","), name };
  if (isNatsUser(user)) config.inboxPrefix = inboxPrefix(user);
  if (env.NATS_NKEY_SEED_FILE) config.nkeySeedFile = env.NATS_NKEY_SEED_FILE;
  if (env.CORRAL_REPLICAS) config.replicas = replicasSetting(env.CORRAL_REPLICAS);
  if (env.NATS_USER) config.user = env.NATS_USER;
  if (env.NATS_PASS) config.pass = env.NATS_PASS;
  if (env.NATS_TOKEN) config.token = env.NATS_TOKEN;
  if (env.NATS_CREDS) config.credsFile = env.NATS_CREDS;
  if (env.NATS_TLS_CA || env.NATS_TLS_CERT) {
    config.tls = {};
    if (env.NATS_TLS_CA) config.tls.caFile = env.NATS_TLS_CA;
    if (env.NATS_TLS_CERT) config.tls.certFile = env.NATS_TLS_CERT;
    if (env.NATS_TLS_KEY) config.tls.keyFile = env.NATS_TLS_KEY;
  }
  return config;
}
