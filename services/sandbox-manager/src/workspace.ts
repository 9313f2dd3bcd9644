import { isLogId, type LogId, type SandboxRecord } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { placementKey, volumeKey, workspaceKey } from "./bucket-keys.js";

/** The workspace volume `owner` already has, if any. */
export async function knownWorkspace(ctx: ManagerContext, owner: LogId): Promise<string | null> {
  return (await ctx.workspaces.get(workspaceKey(owner)))?.value ?? null;
}

/**
 * The owner's workspace volume: the one it has, or `proposed` once claimed for it (`fresh`); null when
 * `proposed` already belongs to another owner (a pooled container claimed by a provision that died with
 * its manager). A volume is reserved for one owner before the owner's claim names it, so no two owners
 * ever share a workspace.
 */
export async function claimWorkspace(
  ctx: ManagerContext,
  owner: LogId,
  proposed: string,
): Promise<{ volume: string; fresh: boolean } | null> {
  for (;;) {
    const existing = await knownWorkspace(ctx, owner);
    if (existing) return { volume: existing, fresh: false };
    if ((await ctx.workspaces.create(volumeKey(proposed), owner)) === null) {
      const reservedFor = (await ctx.workspaces.get(volumeKey(proposed)))?.value;
      if (reservedFor !== owner) return null;
    }
    if ((await ctx.workspaces.create(workspaceKey(owner), proposed)) !== null)
      return { volume: proposed, fresh: true };
  }
}

/** Removes a sandbox's workspace volume and the claims that name it (and where its owners were placed). */
export async function removeWorkspace(ctx: ManagerContext, record: SandboxRecord): Promise<void> {
  await ctx.runtime.removeVolume(record.workspace_volume);
  await ctx.workspaces.delete(volumeKey(record.workspace_volume));
  for (const owner of new Set([record.session_id, ...record.holders].filter(isLogId))) {
    const claim = await ctx.workspaces.get(workspaceKey(owner));
    if (claim?.value !== record.workspace_volume) continue;
    await ctx.workspaces.delete(workspaceKey(owner));
    await ctx.placements.delete(placementKey(owner));
  }
}
