import {
  CorralError,
  HOST_RPC,
  TIMEOUTS,
  hostSubject,
  type LogId,
  type ProvisionRequest,
  type SandboxRecord,
} from "@corral/protocol";
import { request } from "@corral/bus";
import type { ManagerContext } from "./context.js";
import { placementKey, workspaceKey, type HostPresence } from "./bucket-keys.js";
import { hasRoom, hostsWithRoom, isLost, ownPresence, presenceOf, writePresence } from "./presence.js";
import { provision } from "./provision.js";
import { heldBy } from "./sandboxes.js";

/** How often a placement lost to a concurrent one is read again before the caller is asked to retry. */
const PLACEMENT_ATTEMPTS = 3;

const ownerOf = (req: ProvisionRequest): LogId => req.owner ?? req.session_id;

/** Whether the owner has its place on this host already: a sandbox, a provision under way, or just placed. */
function here(ctx: ManagerContext, req: ProvisionRequest): boolean {
  const owner = ownerOf(req);
  const { sandboxes } = ctx;
  return (
    heldBy(sandboxes, req.session_id, owner) !== undefined ||
    sandboxes.provisioning.has(owner) ||
    sandboxes.placing.has(owner)
  );
}

/** An owner with no workspace yet that found this host full is placed again on its caller's next try. */
async function releaseIfNew(ctx: ManagerContext, owner: LogId): Promise<void> {
  if (await ctx.workspaces.get(workspaceKey(owner))) return; // its workspace is here: it waits for room
  const home = await ctx.placements.get(placementKey(owner));
  if (home?.value.host === ctx.config.hostId) await ctx.placements.delete(placementKey(owner), home.revision);
}

/** A provision on this host (`corral.api.sandbox.provision.<host>`): refused, retryably, when it is full. */
export async function provisionHere(ctx: ManagerContext, req: ProvisionRequest): Promise<SandboxRecord> {
  if (!here(ctx, req) && !hasRoom(ctx)) {
    await releaseIfNew(ctx, ownerOf(req));
    throw new CorralError("UNAVAILABLE", `sandbox host ${ctx.config.hostId} is full`, { retryable: true });
  }
  const pending = provision(ctx, req);
  ctx.sandboxes.placing.delete(ownerOf(req)); // its place is the provision under way now
  const record = await pending;
  await writePresence(ctx).catch(() => undefined);
  return record;
}

/** This host when it has room (its place taken at once), else the live host with the most; none: retry later. */
async function chooseHost(ctx: ManagerContext, owner: LogId): Promise<HostPresence> {
  if (hasRoom(ctx)) {
    ctx.sandboxes.placing.add(owner);
    return ownPresence(ctx);
  }
  const [other] = await hostsWithRoom(ctx);
  if (other === undefined)
    throw new CorralError("UNAVAILABLE", "no sandbox host has room", { retryable: true });
  return other;
}

/** A workspace moves only between hosts that keep workspaces under one shared root. */
const sharedBetween = (from: HostPresence | null, to: HostPresence) =>
  from?.workspace_root != null && from.workspace_root === to.workspace_root;

/**
 * The owner's host: where it was placed while that host lives, or (first time, or its host lost) a host
 * with room, written create-only or revision-checked so concurrent provisions agree. Moving from a lost
 * host forgets the owner's workspace claim (its volume stays there): the new host makes a fresh one,
 * unless both hosts keep workspaces under the same shared root (`SANDBOX_WORKSPACE_ROOT`): then it follows.
 */
async function placementFor(ctx: ManagerContext, owner: LogId): Promise<string> {
  const key = placementKey(owner);
  for (let attempt = 0; attempt < PLACEMENT_ATTEMPTS; attempt += 1) {
    const home = await ctx.placements.get(key);
    const from = home ? await presenceOf(ctx, home.value.host) : null;
    if (home && !isLost(ctx, from)) return home.value.host;
    ctx.sandboxes.placing.delete(owner); // a placement lost to a concurrent one gives its place back
    const to = await chooseHost(ctx, owner);
    const placed = { host: to.host, placed_at: new Date().toISOString() };
    if (!home) {
      if ((await ctx.placements.create(key, placed)) !== null) return to.host;
      continue;
    }
    const claim = sharedBetween(from, to) ? null : await ctx.workspaces.get(workspaceKey(owner));
    if (claim) await ctx.workspaces.delete(workspaceKey(owner), claim.revision);
    if ((await ctx.placements.replace(key, placed, home.revision)) === null) continue;
    ctx.logger.warn({ owner, from: home.value.host, to: to.host }, "owner moved off a lost host");
    return to.host;
  }
  throw new CorralError("CONFLICT", `the placement of ${owner} kept changing`, { retryable: true });
}

function forward(ctx: ManagerContext, host: string, req: ProvisionRequest): Promise<SandboxRecord> {
  const subject = hostSubject(HOST_RPC.provision, host);
  return request(ctx.bus, HOST_RPC.provision, req, { subject, timeoutMs: TIMEOUTS.provisionAttemptMs });
}

/**
 * `corral.api.sandbox.provision`, taken by any manager: the placement step. An owner with a sandbox (or a
 * provision under way) here is served here; otherwise it goes to its host, provisioned here or forwarded
 * to that host's own subject (a caller's repeat joins the provision under way there).
 */
export async function place(ctx: ManagerContext, req: ProvisionRequest): Promise<SandboxRecord> {
  if (here(ctx, req)) return provision(ctx, req);
  const owner = ownerOf(req);
  try {
    const host = await placementFor(ctx, owner);
    return host === ctx.config.hostId ? await provisionHere(ctx, req) : await forward(ctx, host, req);
  } finally {
    ctx.sandboxes.placing.delete(owner);
  }
}
