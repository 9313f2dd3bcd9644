import type { ManagerContext } from "./context.js";
import { destroy } from "./destroy.js";
import { holdersOf } from "./holders.js";

/** Destroys sandboxes idle for `idleReapMs` (their workspace volumes stay). */
export function reapIdle(ctx: ManagerContext): void {
  const now = Date.now();
  for (const entry of ctx.sandboxes.byId.values()) {
    if (now - entry.lastUsedMs < ctx.config.idleReapMs) continue;
    // A shared sandbox is the common ground of several holders: it stays until they let go of it.
    if (holdersOf(entry.record).length > 1) continue;
    ctx.logger.info({ sandbox_id: entry.record.id }, "idle sandbox reaped");
    void destroy(ctx, entry, false).catch((err: unknown) => ctx.logger.error({ err }, "reap failed"));
  }
}

/** Checks for idle sandboxes a few times per reap period; returns the stop function. */
export function startReaper(ctx: ManagerContext): () => void {
  const everyMs = Math.min(30_000, Math.max(250, ctx.config.idleReapMs / 4));
  const timer = setInterval(() => reapIdle(ctx), everyMs);
  return () => clearInterval(timer);
}
