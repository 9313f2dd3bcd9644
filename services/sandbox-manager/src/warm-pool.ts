import { newId, type SandboxId } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import { bootContainer, type Egress } from "./boot.js";
import type { ExecutorChannel } from "./channel.js";
import type { ManagerConfig } from "./config.js";
import { containerResources, newVolumeName } from "./container-resources.js";
import { LABELS } from "./labels.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";

export interface Pooled {
  sandboxId: SandboxId;
  containerId: string;
  channel: ExecutorChannel | null;
  volume: string;
  /** False when no egress proxy answered at its boot: it has no network and is replaced once one does. */
  networked: boolean;
}

export interface WarmPool {
  /** A started container with a fresh workspace volume (with network when `needsNetwork`), or null. */
  take(needsNetwork: boolean): Pooled | null;
  giveBack(pooled: Pooled): void;
  /** Starts containers in the background until the pool is full again. */
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
}

/** The pool's state: its ready members, how many are starting, whether it waits to renew members. */
interface Pool {
  deps: WarmPoolDeps;
  ready: Pooled[];
  starting: number;
  renewing: boolean;
  stopping: AbortController;
  /** The starts under way (a stop waits for them: a container booting then is removed, not left behind). */
  inFlight: Set<Promise<void>>;
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

function refill(pool: Pool): void {
  while (!pool.stopping.signal.aborted && pool.ready.length + pool.starting < pool.deps.config.warmPool) {
    pool.starting++;
    const starting: Promise<void> = startOne(pool)
      .catch((err: unknown) => pool.deps.logger.warn({ err }, "warm pool container failed to start"))
      .finally(() => {
        pool.starting--;
        pool.inFlight.delete(starting);
      });
    pool.inFlight.add(starting);
  }
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
  const index = pool.ready.findIndex((p) => p.networked || !needsNetwork);
  return index < 0 ? null : (pool.ready.splice(index, 1)[0] ?? null);
}

function lose(pool: Pool, containerId: string): boolean {
  const index = pool.ready.findIndex((p) => p.containerId === containerId);
  if (index < 0) return false;
  pool.ready.splice(index, 1)[0]?.channel?.fail("pool container died");
  refill(pool);
  return true;
}

/** Ready containers of the default image, so a new session's first tool call does not wait for Docker. */
export function createWarmPool(deps: WarmPoolDeps): WarmPool {
  const pool: Pool = {
    deps,
    ready: [],
    starting: 0,
    renewing: false,
    stopping: new AbortController(),
    inFlight: new Set(),
  };
  return {
    take: (needsNetwork) => take(pool, needsNetwork),
    giveBack: (pooled) => void pool.ready.unshift(pooled),
    refill: () => refill(pool),
    async adopt(sandboxId, containerId, labels) {
      const channel = await deps.runtime.attach(containerId);
      const networked = labels[LABELS.egress] !== "0";
      add(pool, { sandboxId, containerId, channel, volume: labels[LABELS.volume] ?? "", networked });
    },
    lose: (containerId) => lose(pool, containerId),
    async stop() {
      pool.stopping.abort();
      await Promise.all([...pool.inFlight]);
    },
  };
}
