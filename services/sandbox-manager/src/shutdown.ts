import type { ManagerContext } from "./context.js";
import { LABELS } from "./labels.js";

/**
 * A clean stop that leaves nothing behind (`removeOnStop`): every container of this host is removed and
 * the sandboxes it backed are recorded as lost, so their sessions provision anew on their workspaces.
 */
export async function removeContainers(ctx: ManagerContext): Promise<void> {
  const stoppedAt = new Date().toISOString();
  for (const { record } of ctx.sandboxes.byId.values()) {
    const lost = {
      ...record,
      status: "lost" as const,
      lost_reason: "its sandbox-manager stopped",
      last_used_at: stoppedAt,
    };
    await ctx.records.put(record.id, lost).catch(() => undefined);
  }
  const labels = { [LABELS.host]: ctx.config.hostId, ...ctx.config.extraLabels };
  const containers = await ctx.runtime.list(labels).catch(() => []);
  await Promise.all(containers.map((c) => ctx.runtime.remove(c.id).catch(() => undefined)));
  ctx.logger.info({ removed: containers.length }, "sandbox containers removed on stop");
}
