import { randomUUID } from "node:crypto";
import { BUCKETS, HOST_RPC, SANDBOX_QUEUE, SANDBOX_RPC, SandboxRecord, hostSubject } from "@corral/protocol";
import type { z } from "zod";
import { flush, openResilientBucket, serve, type BucketName, type Subscription } from "@corral/bus";
import { adoptContainers } from "./adopt.js";
import type { ManagerBase, ManagerContext, ManagerDeps } from "./context.js";
import { watchSandboxDeaths } from "./deaths.js";
import { egressProxyAnswers, lookupEgress } from "./egress.js";
import { HostPresence, Placement, PROXY_SEEN_KEY, ProxySeen, VolumeName } from "./bucket-keys.js";
import { createLedger, LedgerEntry } from "./ledger.js";
import { place, provisionHere } from "./place.js";
import { startPresence } from "./presence.js";
import { getSandbox, listSandboxes } from "./read-records.js";
import { startReaper } from "./reap.js";
import { createSandboxes, readyCount, releaseAll } from "./sandboxes.js";
import { createWarmPool } from "./warm-pool.js";
import { removeContainers } from "./shutdown.js";
import { reportPool } from "./metrics.js";

export interface SandboxManager {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * How long one bucket call rides out a NATS outage or leader election (short attempts, sent again) before
 * it fails: short of the harness's ask for a sandbox or a tool result, which it repeats.
 */
const BUCKET_DEADLINE_MS = 8_000;

async function openContext(deps: ManagerDeps, signal: AbortSignal): Promise<ManagerContext> {
  const open = <T>(name: BucketName, schema: z.ZodType<T>) =>
    openResilientBucket(deps.bus, name, schema, { deadlineMs: BUCKET_DEADLINE_MS, signal });
  const marker = await open(BUCKETS.sandboxes, ProxySeen);
  const proxyKnown = (await marker.get(PROXY_SEEN_KEY)) !== null;
  const base: ManagerBase = { ...deps, egress: { proxyKnown, marker }, signal };
  const ledgerEntries = await open(BUCKETS.toolLedger, LedgerEntry);
  const sandboxes = createSandboxes();
  return {
    ...base,
    sandboxes,
    records: await open(BUCKETS.sandboxes, SandboxRecord),
    workspaces: await open(BUCKETS.sandboxes, VolumeName),
    ledger: createLedger(ledgerEntries, randomUUID()),
    presence: await open(BUCKETS.sandboxes, HostPresence),
    placements: await open(BUCKETS.sandboxes, Placement),
    pool: createWarmPool({
      ...deps,
      egressFor: (sandboxId) => lookupEgress(base, sandboxId, null),
      egressAnswers: (poolSignal) => egressProxyAnswers(base, poolSignal),
      freePlaces: () => deps.config.maxSandboxes - readyCount(sandboxes),
      provisionsUnderWay: () => sandboxes.provisioning.size,
    }),
  };
}

/**
 * `provision`, `get` and `list` go to any manager (a queue group); a provision is placed, here or on its
 * host's own subject. Per-sandbox subjects go to the owner.
 */
function serveApi(ctx: ManagerContext): Subscription[] {
  const queue = { queue: SANDBOX_QUEUE };
  const thisHost = { ...queue, subject: hostSubject(HOST_RPC.provision, ctx.config.hostId) };
  return [
    serve(ctx.bus, SANDBOX_RPC.provision, (req) => place(ctx, req), queue),
    serve(ctx.bus, HOST_RPC.provision, (req) => provisionHere(ctx, req), thisHost),
    serve(ctx.bus, SANDBOX_RPC.get, ({ sandbox_id }) => getSandbox(ctx, sandbox_id), queue),
    serve(
      ctx.bus,
      SANDBOX_RPC.list,
      async ({ session_id }) => ({ data: await listSandboxes(ctx, session_id) }),
      queue,
    ),
  ];
}

/** Starts one manager; resolves to its stop function. */
async function run(deps: ManagerDeps): Promise<() => Promise<void>> {
  const stopping = new AbortController();
  const ctx = await openContext(deps, stopping.signal);
  await deps.runtime.ensureNetwork();
  const stopDeaths = watchSandboxDeaths(ctx);
  await adoptContainers(ctx);
  ctx.pool.refill();
  const stopPresence = await startPresence(ctx);
  const subscriptions = serveApi(ctx);
  await flush(deps.bus); // the RPC subscriptions are live on the server before start() resolves
  const stopReaper = startReaper(ctx);
  const stopPoolReport = reportPool(() => {
    const { ready, starting } = ctx.pool.size();
    return { warm: ready, starting, busy: readyCount(ctx.sandboxes) };
  });
  deps.logger.info({ host: deps.config.hostId, adopted: ctx.sandboxes.byId.size }, "sandbox-manager started");
  return async () => {
    stopReaper();
    stopPoolReport();
    stopPresence();
    stopDeaths();
    stopping.abort();
    for (const sub of subscriptions) sub.unsubscribe();
    await ctx.pool.stop();
    if (deps.config.removeOnStop) await removeContainers(ctx);
    releaseAll(ctx.sandboxes);
    await deps.runtime.closeHostPorts().catch((err: unknown) => {
      deps.logger.warn({ err }, "could not remove this manager's firewall rules");
    });
  };
}

/** The hands: Docker sandboxes on this host behind the sandbox RPCs. */
export function createSandboxManager(deps: ManagerDeps): SandboxManager {
  let stop: (() => Promise<void>) | null = null;
  return {
    async start() {
      stop = await run(deps);
    },
    async stop() {
      await stop?.();
      stop = null;
    },
  };
}
