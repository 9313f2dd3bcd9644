import {
  connectBus,
  createLogWriter,
  openSessionLog,
  openTypedBucket,
  request,
  tailEvents,
  type Bus,
} from "@corral/bus";
import { createLogger, silentLogger } from "@corral/logger";
import {
  spawnService,
  startNatsServer,
  startScriptedModel,
  type NatsServer,
  type NatsServerOptions,
  type ScriptedModel,
  type ServiceProcess,
  busConfigFor,
} from "@corral/testing";
import { startStore } from "@corral/session-store/testing";
import {
  BUCKETS,
  STORE_RPC,
  type AgentCreateParams,
  type SessionEvent,
  type SessionCreateParams,
  type SessionId,
} from "@corral/protocol";
import { createHarness, type Harness } from "./harness.js";
import { Lease } from "./lease.js";
import { createAnthropicModel } from "./anthropic-model.js";
import { createHands, type Hands } from "./sandbox-client.js";
import { compacting, fullHistory } from "./context.js";
import type { HarnessConfig } from "./config.js";

export const testConfig = (over: Partial<HarnessConfig> = {}): HarnessConfig => ({
  replicaName: "test",
  concurrency: 16,
  leaseTtlMs: 3000,
  busyRetryMs: 100,
  maxTokens: 1024,
  maxModelAttempts: 3,
  retryBaseMs: 20,
  retryUnavailableMs: 30_000,
  coupled: false,
  contextStrategy: "full",
  compactAtTokens: Number.POSITIVE_INFINITY,
  ...over,
});

/** A harness replica in this process, talking to the real SDK pointed at `modelUrl`. */
export async function startHarness(
  natsUrl: string,
  modelUrl: string,
  over: Partial<HarnessConfig> = {},
  hands?: Hands,
): Promise<{ harness: Harness; bus: Bus; close(): Promise<void> }> {
  const bus = await connectBus(busConfigFor(natsUrl, "harness"));
  const config = testConfig(over);
  const harness = createHarness({
    bus,
    logger: process.env.TEST_LOG
      ? createLogger({ service: "harness", level: process.env.TEST_LOG })
      : silentLogger(),
    config,
    model: createAnthropicModel({ apiKey: "test-key", baseURL: modelUrl }),
    hands: hands ?? createHands(bus, { retryUnavailableMs: config.retryUnavailableMs }),
    strategy: config.contextStrategy === "compacting" ? compacting(config.compactAtTokens) : fullHistory(),
  });
  await harness.start();
  return {
    harness,
    bus,
    async close() {
      await harness.stop();
      await bus.close();
    },
  };
}

export async function newSession(
  bus: Bus,
  agent: Partial<AgentCreateParams> = {},
  session: Partial<SessionCreateParams> = {},
): Promise<SessionId> {
  const a = await request(bus, STORE_RPC.agentsCreate, {
    name: "agent",
    model: "claude-test",
    system: "You are a test agent.",
    ...agent,
  });
  const e = await request(bus, STORE_RPC.environmentsCreate, {
    name: `env-${Math.random().toString(36).slice(2)}`,
  });
  return (await request(bus, STORE_RPC.sessionsCreate, { agent: a.id, environment_id: e.id, ...session })).id;
}

export async function send(
  bus: Bus,
  sessionId: string,
  ...events: Parameters<typeof request<typeof STORE_RPC.eventsSend>>[2]["events"]
): Promise<SessionEvent[]> {
  return (await request(bus, STORE_RPC.eventsSend, { session_id: sessionId, events })).events;
}

export const say = (text: string) => ({
  type: "user.message" as const,
  content: [{ type: "text" as const, text }],
});

/** Collects the session's events from `from` until one matches `until` (or the deadline passes). */
export async function eventsUntil(
  bus: Bus,
  sessionId: string,
  until: (e: SessionEvent) => boolean,
  from = 0,
  timeoutMs = 20_000,
): Promise<SessionEvent[]> {
  const log = await openSessionLog(bus);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const seen: SessionEvent[] = [];
  try {
    for await (const event of tailEvents(log, sessionId, from, controller.signal)) {
      seen.push(event);
      if (until(event)) return seen;
    }
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  throw new Error(
    `session ${sessionId} did not reach the expected event; saw ${seen.map((e) => e.type).join(", ")}`,
  );
}

/** Every event of a log so far (up to 1,000). */
export async function allEvents(bus: Bus, logId: string): Promise<SessionEvent[]> {
  return (await request(bus, STORE_RPC.eventsList, { session_id: logId, limit: 1000 })).data;
}

export const isIdle = (e: SessionEvent) =>
  e.type === "session.status_idle" || e.type === "session.status_terminated";

export async function writerFor(bus: Bus) {
  return createLogWriter({ bus, log: await openSessionLog(bus) });
}

export interface BrainStack {
  nats: NatsServer;
  model: ScriptedModel;
  bus: Bus;
  close(): Promise<void>;
}

/**
 * A real nats-server, the scripted model, a session-store and a harness in this process, and a client
 * connection — what every brain test starts from. `before` runs after the store and before the harness
 * (e.g. to start a sandbox-manager); its `close` runs before the store stops. `natsOptions` e.g. turns
 * on the users and permissions `corral up` runs with.
 */
export async function startBrainStack(
  over: Partial<HarnessConfig> = {},
  before?: (natsUrl: string) => Promise<{ close(): Promise<void> }>,
  natsOptions: NatsServerOptions = {},
): Promise<BrainStack> {
  const nats = await startNatsServer(natsOptions);
  const model = await startScriptedModel();
  const store = await startStore(nats.url, { taskIntake: false });
  const extra = before ? await before(nats.url) : null;
  const brain = await startHarness(nats.url, model.url, over);
  const bus = await connectBus(busConfigFor(nats.url, "admin", "client"));
  return {
    nats,
    model,
    bus,
    async close() {
      await bus.close();
      await brain.close();
      await extra?.close();
      await store.close();
      await model.close();
      await nats.stop();
    },
  };
}

/** Harness replicas as real processes (`brain-0`, `brain-1`, …) against one NATS server and model. */
export interface BrainPool {
  readonly all: readonly ServiceProcess[];
  /** The replicas not killed (nor exited). */
  live(): ServiceProcess[];
  start(): ServiceProcess;
  /** The live replica holding a session's or thread's lease right now, if any. */
  holderOf(logId: string): Promise<ServiceProcess | null>;
  killAll(): Promise<void>;
}

export function brainPool(
  bus: Bus,
  natsUrl: string,
  modelUrl: string,
  env: Record<string, string> = {},
): BrainPool {
  const all: ServiceProcess[] = [];
  const byName = new Map<string, ServiceProcess>();
  const alive = (b: ServiceProcess) => b.child.exitCode === null && b.child.signalCode === null;
  return {
    all,
    live: () => all.filter(alive),
    start() {
      const name = `brain-${all.length}`;
      const brain = spawnService("harness", {
        NATS_URL: natsUrl,
        HARNESS_NAME: name,
        ANTHROPIC_API_KEY: "test-key",
        ANTHROPIC_BASE_URL: modelUrl,
        HARNESS_LEASE_TTL_MS: "1500",
        LOG_LEVEL: "warn",
        ...env,
      });
      all.push(brain);
      byName.set(name, brain);
      return brain;
    },
    async holderOf(logId) {
      const leases = await openTypedBucket(bus, BUCKETS.leases, Lease).catch(() => null);
      const entry = await leases?.get(logId).catch(() => null);
      if (!entry) return null;
      const brain = byName.get(entry.value.holder.split(":")[0]!);
      return brain && alive(brain) ? brain : null;
    },
    async killAll() {
      await Promise.all(all.map((b) => b.kill("SIGKILL")));
    },
  };
}
