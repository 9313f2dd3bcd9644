import { randomBytes } from "node:crypto";
import { newId, type SandboxId } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import type { ManagerConfig } from "./config.js";
import { LABELS, type ContainerSpec, type SandboxRuntime } from "./docker-runtime.js";
import type { ExecutorChannel } from "./channel.js";

export interface Pooled {
  sandboxId: SandboxId;
  containerId: string;
  channel: ExecutorChannel | null;
  volume: string;
}

export interface WarmPool {
  /** A started container with a fresh workspace volume, or null when the pool is empty. */
  take(): Pooled | null;
  giveBack(pooled: Pooled): void;
  /** Starts containers in the background until the pool is full again. */
  refill(): void;
  adopt(sandboxId: SandboxId, containerId: string, labels: Record<string, string>): Promise<void>;
  /** True when the dead container was a pool member (it is dropped). */
  lose(containerId: string): boolean;
  stop(): void;
}

interface Deps {
  runtime: SandboxRuntime;
  logger: Logger;
  config: ManagerConfig;
  boot(spec: ContainerSpec): Promise<{ containerId: string; channel: ExecutorChannel | null }>;
}

/** Ready containers of the default image, so a new session's first tool call does not wait for Docker. */
export function createWarmPool(deps: Deps): WarmPool {
  const { runtime, logger, config } = deps;
  const ready: Pooled[] = [];
  let starting = 0;
  let stopped = false;

  async function startOne(): Promise<void> {
    const sandboxId = newId("sandbox");
    const volume = `corral-ws-${randomBytes(8).toString("hex")}`;
    const resources = {
      memory_mb: config.memoryMb,
      cpus: config.cpus,
      pids: config.pids,
      tmpfs_mb: config.tmpfsMb,
    };
    const { containerId, channel } = await deps.boot({
      sandboxId,
      sessionId: null,
      image: config.image,
      volume,
      resources,
      env: {},
      executor: true,
    });
    if (stopped) {
      channel?.close();
      await runtime.remove(containerId);
      return;
    }
    ready.push({ sandboxId, containerId, channel, volume });
  }

  function refill(): void {
    while (!stopped && ready.length + starting < config.warmPool) {
      starting++;
      startOne()
        .catch((err: unknown) => logger.warn({ err }, "warm pool container failed to start"))
        .finally(() => starting--);
    }
  }

  return {
    take: () => ready.shift() ?? null,
    giveBack: (pooled) => void ready.unshift(pooled),
    refill,
    async adopt(sandboxId, containerId, labels) {
      const channel = await runtime.attach(containerId);
      ready.push({ sandboxId, containerId, channel, volume: labels[LABELS.volume] ?? "" });
    },
    lose(containerId) {
      const index = ready.findIndex((p) => p.containerId === containerId);
      if (index < 0) return false;
      ready.splice(index, 1)[0]?.channel?.fail("pool container died");
      refill();
      return true;
    },
    stop() {
      stopped = true;
    },
  };
}
