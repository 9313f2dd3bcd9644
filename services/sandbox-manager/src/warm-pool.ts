import { newId, type SandboxId } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import { bootContainer, type Egress } from "./boot.js";
import type { ExecutorChannel } from "./channel.js";
import type { ManagerConfig } from "./config.js";
import { containerResources, newVolumeName } from "./container-resources.js";
import { LABELS } from "./labels.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";
import { createWarmDemand, type WarmDemand } from "./warm-demand.js";

export interface Pooled {
  sandboxId: SandboxId;
  containerId: string;
  channel: ExecutorChannel | null;
  volume: string;
  /** False when no egress proxy answered at its boot: it has no network and is replaced once one does. */
  networked: boolean;
}

export interface WarmPool {
  /**
   * A started container with a fresh workspace volume (with network when `needsNetwork`), or null. Each call
   * is a provision that could be served warm: the pool's size follows how many came at once recently.
   */
  take(needsNetwork: boolean): Pooled | null;
  giveBack(pooled: Pooled): void;
  /** Containers ready in the pool, and being started for it. */
  size(): { ready: number; starting: number };
  /** Starts containers in the background (a few at a time) until the pool has its target size. */
  refill(): void;
  adopt(sandboxId: SandboxId, containerId: string, labels: Record<string, string>): Promise<void>;
  /** True when the dead container was a pool member (it is dropped). */
  lose(containerId: string): boolean;
  /** Starts no more; resolves once the containers being started have been removed again. */
  stop(): Promise<void>;
}

export interface WarmPoolDeps {
  runtime: SandboxRuntime;
  logger: Logger;
  config: ManagerConfig;
  /** The egress for a new pool container; null when no proxy answers (the container has no network). */
  egressFor(sandboxId: SandboxId): Promise<Egress | null>;
  /** Resolves once an egress proxy answers; rejects when `signal` aborts. */
  egressAnswers(signal: AbortSignal): Promise<void>;
  /** Places on this host not taken by a ready sandbox: more warm containers could never be handed out. */
  freePlaces(): number;
  /** Provisions under way here: while there are any, the pool starts one container at a time. */
  provisionsUnderWay(): number;
}

/** The pool's state: its ready members, how many are starting, whether it waits to renew members. */
interface Pool {
  deps: WarmPoolDeps;
  ready: Pooled[];
  starting: number;
  renewing: boolean;
  stopping: AbortController;
  /** The starts and removals under way (a stop waits for them: a container booting then is removed). */
  inFlight: Set<Promise<void>>;
  demand: WarmDemand;
  /** After a start failed, no start before this time (a missing image does not spin). */
  pausedUntil: number;
}

/**
 * The size the pool aims at: the largest recent burst of provisions (at least `warmPool`), bounded by
 * `warmMax` and by the places a ready sandbox does not take.
 */
function warmTarget(pool: Pick<Pool, "deps" | "demand">): number {
  const { warmPool, warmMax } = pool.deps.config;
  const wanted = Math.max(warmPool, pool.demand.peak());
  return Math.max(0, Math.min(wanted, warmMax, pool.deps.freePlaces()));
}

const START_RETRY_MS = 1000;

function track(pool: Pool, work: Promise<void>): void {
  pool.inFlight.add(work);
  void work.finally(() => pool.inFlight.delete(work));
}

async function startOne(pool: Pool): Promise<void> {
  const { runtime, config } = pool.deps;
  const sandboxId = newId("sandbox");
  const volume = newVolumeName();
  const egress = await pool.deps.egressFor(sandboxId);
  const { containerId, channel } = await bootContainer(
    runtime,
    {
      sandboxId,
      sessionId: null,
      image: config.image,
      volume,
      resources: containerResources(config),
      env: {},
      executor: true,
    },
    egress,
  );
  if (pool.stopping.signal.aborted) {
    await discard(pool, { sandboxId, containerId, channel, volume, networked: egress !== null });
    return;
  }
  add(pool, { sandboxId, containerId, channel, volume, networked: egress !== null });
}

function add(pool: Pool, member: Pooled): void {
  pool.ready.push(member);
  if (!member.networked) void renewOnceProxyAnswers(pool);
}

function startTracked(pool: Pool): void {
  pool.starting++;
  const started = startOne(pool).then(
    () => {
      pool.starting--;
      refill(pool);
    },
    (err: unknown) => {
      pool.starting--;
      pool.deps.logger.warn({ err }, "warm pool container failed to start");
      pool.pausedUntil = Date.now() + START_RETRY_MS;
      setTimeout(() => refill(pool), START_RETRY_MS).unref();
    },
  );
  track(pool, started);
}

/**
 * Up to `warmParallel` starts at once, until ready and starting members reach the target; one at a time
 * while provisions are under way, so that refilling takes little of the CPU and Docker a burst is waiting on
 * (each provision ends with a refill, so the pool catches up as soon as the burst is served).
 */
function refill(pool: Pool): void {
  if (pool.stopping.signal.aborted || Date.now() < pool.pausedUntil) return;
  const parallel = pool.deps.provisionsUnderWay() > 0 ? 1 : pool.deps.config.warmParallel;
  const target = warmTarget(pool);
  while (pool.ready.length + pool.starting < target && pool.starting < parallel) startTracked(pool);
}

/** Members beyond the target (demand has fallen, or ready sandboxes took the places) are removed. */
function trim(pool: Pool): void {
  const excess = pool.ready.length - warmTarget(pool);
  if (excess <= 0) return;
  const gone = pool.ready.splice(pool.ready.length - excess, excess);
  pool.deps.logger.info({ removed: gone.length, left: pool.ready.length }, "warm pool shrunk");
  for (const member of gone) track(pool, discard(pool, member));
}

/**
 * Members booted while no egress proxy answered have no network, and a container's environment is fixed
 * at its start: once a proxy answers they are removed and the pool refills with networked containers.
 */
async function renewOnceProxyAnswers(pool: Pool): Promise<void> {
  if (pool.renewing) return;
  pool.renewing = true;
  try {
    await pool.deps.egressAnswers(pool.stopping.signal);
  } catch {
    return;
  } finally {
    pool.renewing = false;
  }
  const stale = pool.ready.filter((p) => !p.networked);
  pool.ready = pool.ready.filter((p) => p.networked);
  pool.deps.logger.info({ renewed: stale.length }, "egress proxy answers; warm pool containers renewed");
  await Promise.all(stale.map((p) => discard(pool, p)));
  refill(pool);
}

async function discard(pool: Pool, member: Pooled): Promise<void> {
  member.channel?.close();
  await pool.deps.runtime.remove(member.containerId).catch(() => undefined);
  await pool.deps.runtime.removeVolume(member.volume).catch(() => undefined);
}

function take(pool: Pool, needsNetwork: boolean): Pooled | null {
  pool.demand.record();
  const index = pool.ready.findIndex((p) => p.networked || !needsNetwork);
  const taken = index < 0 ? null : (pool.ready.splice(index, 1)[0] ?? null);
  refill(pool);
  return taken;
}

function lose(pool: Pool, containerId: string): boolean {
  const index = pool.ready.findIndex((p) => p.containerId === containerId);
  if (index < 0) return false;
  pool.ready.splice(index, 1)[0]?.channel?.fail("pool container died");
  refill(pool);
  return true;
}

/** How often the pool checks its size against demand (it shrinks within a few ticks of the window). */
const tickMs = (config: ManagerConfig) => Math.min(5000, Math.max(100, config.warmIdleMs / 4));

/**
 * Ready containers of the default image, so a new session's first tool call does not wait for Docker. The
 * pool grows to the largest burst of provisions of the last `warmIdleMs` (bounded by `warmMax`) and shrinks
 * back to `warmPool` once they are over.
 */
export function createWarmPool(deps: WarmPoolDeps): WarmPool {
  const pool: Pool = {
    deps,
    ready: [],
    starting: 0,
    renewing: false,
    stopping: new AbortController(),
    inFlight: new Set(),
    demand: createWarmDemand(deps.config.warmIdleMs),
    pausedUntil: 0,
  };
  const ticker = setInterval(() => {
    trim(pool);
    refill(pool);
  }, tickMs(deps.config));
  ticker.unref();
  return {
    take: (needsNetwork) => take(pool, needsNetwork),
    giveBack: (pooled) => void pool.ready.unshift(pooled),
    size: () => ({ ready: pool.ready.length, starting: pool.starting }),
    refill: () => refill(pool),
    async adopt(sandboxId, containerId, labels) {
      const channel = await deps.runtime.attach(containerId);
      const networked = labels[LABELS.egress] !== "0";
      add(pool, { sandboxId, containerId, channel, volume: labels[LABELS.volume] ?? "", networked });
    },
    lose: (containerId) => lose(pool, containerId),
    async stop() {
      clearInterval(ticker);
      pool.stopping.abort();
      while (pool.inFlight.size > 0) await Promise.all([...pool.inFlight]);
    },
  };
}
