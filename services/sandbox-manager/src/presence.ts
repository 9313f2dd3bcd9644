import type { ManagerContext } from "./context.js";
import { readyCount } from "./sandboxes.js";
import { PRESENCE_KEYS, presenceKey, type HostPresence } from "./bucket-keys.js";

/** This host's sandboxes that take a place: ready ones and provisions under way (the warm pool aside). */
export function usedSlots(ctx: ManagerContext): number {
  const { provisioning, placing } = ctx.sandboxes;
  let used = provisioning.size + readyCount(ctx.sandboxes);
  for (const owner of placing) if (!provisioning.has(owner)) used += 1;
  return used;
}

export const hasRoom = (ctx: ManagerContext): boolean => usedSlots(ctx) < ctx.config.maxSandboxes;

/** This host as its heartbeat says it: alive now, with `used` of its `max` places taken. */
export const ownPresence = (ctx: ManagerContext): HostPresence => ({
  host: ctx.config.hostId,
  seen_at: new Date().toISOString(),
  max: ctx.config.maxSandboxes,
  used: usedSlots(ctx),
  workspace_root: ctx.config.workspaceRoot,
});

export async function writePresence(ctx: ManagerContext): Promise<void> {
  await ctx.presence.put(presenceKey(ctx.config.hostId), ownPresence(ctx));
}

export async function presenceOf(ctx: ManagerContext, hostId: string): Promise<HostPresence | null> {
  if (hostId === ctx.config.hostId) return ownPresence(ctx);
  return (await ctx.presence.get(presenceKey(hostId)))?.value ?? null;
}

/**
 * Whether a host's manager has been silent for `hostLostMs`. A host that never wrote a heartbeat (a manager
 * from before heartbeats) is not called lost. Clocks of the hosts are assumed in step to well under that.
 */
export const isLost = (ctx: ManagerContext, presence: HostPresence | null): boolean =>
  presence !== null && Date.now() - Date.parse(presence.seen_at) > ctx.config.hostLostMs;

export async function hostLost(ctx: ManagerContext, hostId: string): Promise<boolean> {
  return isLost(ctx, await presenceOf(ctx, hostId));
}

/** Other live hosts with a free place, the emptiest first. */
export async function hostsWithRoom(ctx: ManagerContext): Promise<HostPresence[]> {
  const found: HostPresence[] = [];
  for (const key of await ctx.presence.keys(PRESENCE_KEYS)) {
    const entry = await ctx.presence.get(key);
    if (!entry || entry.value.host === ctx.config.hostId || isLost(ctx, entry.value)) continue;
    if (entry.value.used < entry.value.max) found.push(entry.value);
  }
  return found.sort((a, b) => b.max - b.used - (a.max - a.used));
}

/** Writes the heartbeat now and every quarter of `hostLostMs` (at most 10 s); returns the stop function. */
export async function startPresence(ctx: ManagerContext): Promise<() => void> {
  await writePresence(ctx);
  const everyMs = Math.min(10_000, Math.max(100, ctx.config.hostLostMs / 4));
  const timer = setInterval(() => {
    writePresence(ctx).catch((err: unknown) => ctx.logger.warn({ err }, "could not write the heartbeat"));
  }, everyMs);
  return () => clearInterval(timer);
}
