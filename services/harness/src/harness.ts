import { randomUUID } from "node:crypto";
import { BUCKETS, STREAMS, type LogId } from "@corral/protocol";
import { awaitStreams, openResilientBucket, openSessionLog, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { createLeases, Lease } from "./lease.js";
import { createOutageWindow } from "./outage-window.js";
import { createWakeHandler, type WakeHandler } from "./wake-handler.js";
import { consumeWakes } from "./wake-consumer.js";
import { sweepLiveness } from "./liveness-sweep.js";
import { loadSessionInfo } from "./session-info.js";
import { harnessTimings, type HarnessConfig } from "./config.js";
import { createLogAppender } from "./append-through-store.js";
import type { Model } from "./model.js";
import type { Hands } from "./sandbox-client.js";
import type { ContextStrategy } from "./context.js";

export interface Harness {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Logs this replica is running right now. */
  active(): LogId[];
}

export interface HarnessDeps {
  bus: Bus;
  logger: Logger;
  config: HarnessConfig;
  model: Model;
  hands: Hands;
  strategy: ContextStrategy;
}

/** A brain: takes wakes, runs each log it leases until it rests, and wakes again what a dead replica left. */
export function createHarness(deps: HarnessDeps): Harness {
  const { bus, logger, config } = deps;
  const holder = `${config.replicaName}:${randomUUID()}`;
  const timings = harnessTimings(config.leaseTtlMs);
  const stopping = new AbortController();
  let loops: Promise<unknown> = Promise.resolve();
  let wakes: WakeHandler | null = null;

  return {
    async start() {
      await awaitStreams(bus, [STREAMS.sessions, STREAMS.wake]);
      const log = await openSessionLog(bus);
      // Renewals ride out a leader election in short attempts, each repeatable (see createLeases).
      const outage = createOutageWindow(timings.outageWindowMs);
      const leaseBucket = await openResilientBucket(bus, BUCKETS.leases, Lease, {
        deadlineMs: timings.pauseMs,
        signal: stopping.signal,
        onRetry: () => outage.noteTrouble(),
      });
      const appender = createLogAppender({
        bus,
        holder,
        retryUnavailableMs: config.retryUnavailableMs,
        logger,
      });
      const runner = { ...deps, log, appender };
      wakes = createWakeHandler({
        runner,
        leases: createLeases(leaseBucket, holder, timings, logger, outage),
        logger,
        loadInfo: (logId) => loadSessionInfo(bus, logId),
        stopping: stopping.signal,
        keepaliveMs: timings.heartbeatMs,
        busyRetryMs: config.busyRetryMs,
      });
      const handle = wakes.handle;
      loops = Promise.all([
        consumeWakes(
          { bus, logger, handle, stopping: stopping.signal },
          { ...config, ackWaitMs: timings.ackWaitMs },
        ),
        sweepLiveness({ bus, leases: leaseBucket, logger, stopping: stopping.signal, outage }, timings.sweep),
      ]);
      logger.info({ holder, concurrency: config.concurrency }, "harness started");
    },
    async stop() {
      stopping.abort();
      await loops.catch(() => undefined);
      const deadline = Date.now() + 10_000;
      while ((wakes?.active().length ?? 0) > 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
    },
    active: () => wakes?.active() ?? [],
  };
}
