import {
  CorralError,
  newId,
  type LogId,
  type ProvisionRequest,
  type SandboxId,
  type SandboxRecord,
} from "@corral/protocol";
import { secondsSince } from "@corral/metrics";
import { bootContainer, type Egress } from "./boot.js";
import type { ExecutorChannel } from "./channel.js";
import { containerResources, newVolumeName } from "./container-resources.js";
import type { ManagerContext } from "./context.js";
import { lookupEgress } from "./egress.js";
import { own } from "./own.js";
import { mountSessionResources } from "./session-mounts.js";
import { knowMemoryMounts } from "./memory-writeback-run.js";
import { provisionSeconds } from "./metrics.js";
import { startRepositoryClones } from "./repo-clone.js";
import { heldBy } from "./sandboxes.js";
import { claimWorkspace, knownWorkspace } from "./workspace.js";

/** One provision's decisions: who will hold the sandbox, its image and its way out. */
interface Provisioning {
  req: ProvisionRequest;
  owner: LogId;
  image: string;
  egress: Egress | null;
  /** When it was asked for: the record's created_at. */
  at: string;
}

/** Where the sandbox ended up: a warm-pool container or a fresh one, on the owner's workspace volume. */
interface Placement {
  sandboxId: SandboxId;
  containerId: string;
  channel: ExecutorChannel | null;
  volume: string;
  warm: boolean;
}

/**
 * A pooled container has the default image and limits and an environment fixed at its start: a session
 * with secret environment variables (placeholders) needs them from the start, and an owner that already
 * has a workspace needs it mounted, so neither takes one.
 */
async function takeWarm(ctx: ManagerContext, p: Provisioning): Promise<Placement | null> {
  const { spec } = p.req;
  const placeholders = Object.keys(p.egress?.placeholders ?? {}).length > 0;
  if (placeholders || p.image !== ctx.config.image || spec.resources || spec.env) return null;
  if (await knownWorkspace(ctx, p.owner)) return null;
  const pooled = ctx.pool.take(p.egress !== null);
  if (!pooled) return null;
  const claim = await claimWorkspace(ctx, p.owner, pooled.volume);
  if (!claim) {
    // Its volume was reserved by a provision that died with its manager: the container is not reused.
    await ctx.runtime.remove(pooled.containerId).catch(() => undefined);
    return null;
  }
  if (!claim.fresh) {
    // Another provision for the same owner claimed a workspace first: this one boots on that volume.
    ctx.pool.giveBack(pooled);
    return null;
  }
  return { ...pooled, warm: true };
}

async function bootFresh(ctx: ManagerContext, p: Provisioning, sandboxId: SandboxId): Promise<Placement> {
  const claim = await claimWorkspace(ctx, p.owner, newVolumeName());
  if (!claim) throw new CorralError("CONFLICT", "a new volume name was already reserved");
  const { volume } = claim;
  const executor = await ctx.runtime.hasPython(p.image).catch(() => {
    throw new CorralError("INVALID_REQUEST", `image ${p.image} is not on this host`);
  });
  const spec = {
    sandboxId,
    sessionId: p.req.session_id,
    image: p.image,
    volume,
    resources: containerResources(ctx.config, p.req.spec.resources),
    env: p.req.spec.env ?? {},
    executor,
  };
  const { containerId, channel } = await bootContainer(ctx.runtime, spec, p.egress);
  return { sandboxId, containerId, channel, volume, warm: false };
}

function newRecord(ctx: ManagerContext, p: Provisioning, placed: Placement): SandboxRecord {
  return {
    id: placed.sandboxId,
    type: "sandbox",
    session_id: p.req.session_id,
    status: "ready",
    image: p.image,
    host: ctx.config.hostId,
    container_id: placed.containerId,
    workspace_volume: placed.volume,
    lost_reason: null,
    holders: [p.owner],
    created_at: p.at,
    last_used_at: p.at,
  };
}

/**
 * A ready sandbox for the session (held by `owner`, default the session), warm from the pool when it can.
 * Idempotent per owner: a provision asked again (a caller retrying after a timeout or a restart) joins the
 * one under way, and an owner that already holds a ready sandbox here gets that one.
 */
export function provision(ctx: ManagerContext, req: ProvisionRequest): Promise<SandboxRecord> {
  const owner = req.owner ?? req.session_id;
  const held = heldBy(ctx.sandboxes, req.session_id, owner);
  if (held) return Promise.resolve(held.record);
  const underWay = ctx.sandboxes.provisioning.get(owner);
  if (underWay) return underWay;
  const attempt = provisionNew(ctx, req, owner).finally(() => {
    ctx.sandboxes.provisioning.delete(owner);
    ctx.pool.refill(); // at full pace again once the last provision under way is done
  });
  ctx.sandboxes.provisioning.set(owner, attempt);
  return attempt;
}

async function provisionNew(
  ctx: ManagerContext,
  req: ProvisionRequest,
  owner: LogId,
): Promise<SandboxRecord> {
  const startMs = performance.now();
  const at = new Date().toISOString();
  const sandboxId = newId("sandbox");
  const egress = await lookupEgress(ctx, sandboxId, req.session_id);
  const p: Provisioning = { req, owner, image: req.spec.image ?? ctx.config.image, egress, at };
  const placed = (await takeWarm(ctx, p)) ?? (await bootFresh(ctx, p, sandboxId));
  const memory = await mountSessionResources(ctx, placed.containerId, req.session_id);
  const record = newRecord(ctx, p, placed);
  await ctx.records.put(record.id, record);
  knowMemoryMounts(ctx, own(ctx, record, placed.channel), memory);
  startRepositoryClones(ctx, record, p.egress?.repositories);
  provisionSeconds.observe({ source: placed.warm ? "warm" : "cold" }, secondsSince(startMs));
  ctx.logger.info(
    { sandbox_id: record.id, session_id: req.session_id, owner: p.owner, warm: placed.warm },
    "sandbox provisioned",
  );
  return record;
}
