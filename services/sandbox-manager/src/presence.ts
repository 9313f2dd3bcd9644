import type { ManagerContext } from "./context.js";
import { PRESENCE_KEYS, presenceKey, type HostPresence } from "./bucket-keys.js";

/** This host's sandboxes that take a place: ready ones and provisions under way (the warm pool aside). */
export function usedSlots(ctx: ManagerContext): number {
  const { provisioning, placing } = ctx.sandboxes;
  let used = provisioning.size;
  for (const owner of placing) if (!provisioning.has(owner)) used += 1;
  for (const entry of ctx.sandboxes.byId.values()) if (entry.record.status === "ready") used += 1;
  return used;
}

export const hasRoom = (ctx: ManagerContext): boolean => usedSlots(ctx) < ctx.config.maxSandboxes;

/** The heartbeat: this host is alive, with `used` of its `max` places taken. */
export async function writePresence(ctx: ManagerContext): Promise<void> {
  const { hostId: host, maxSandboxes: max } = ctx.config;
  await ctx.presence.put(presenceKey(host), {
    host,
    seen_at: new Date().toISOString(),
    max,
    used: usedSlots(ctx),
  });
}

const isStale = (ctx: ManagerContext, presence: HostPresence) =>
  Date.now() - Date.parse(presence.seen_at) > ctx.config.hostLostMs;

/**
 * Whether a host's manager has been silent for `hostLostMs`. A host that never wrote a heartbeat (a manager
 * from before heartbeats) is not called lost. Clocks of the hosts are assumed in step to well under that.
 */
export async function hostLost(ctx: ManagerContext, hostId: string): Promise<boolean> {
  if (hostId === ctx.config.hostId) return false;
  const entry = await ctx.presence.get(presenceKey(hostId));
  return entry !== null && isStale(ctx, entry.value);
}

/** Other live hosts with a free place, the emptiest first. */
export async function hostsWithRoom(ctx: ManagerContext): Promise<string[]> {
  const found: HostPresence[] = [];
  for (const key of await ctx.presence.keys(PRESENCE_KEYS)) {
    const entry = await ctx.presence.get(key);
    if (!entry || entry.value.host === ctx.config.hostId || isStale(ctx, entry.value)) continue;
    if (entry.value.used < entry.value.max) found.push(entry.value);
  }
  return found.sort((a, b) => b.max - b.used - (a.max - a.used)).map((p) => p.host);
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
