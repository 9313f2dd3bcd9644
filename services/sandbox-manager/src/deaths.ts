import type { ManagerContext } from "./context.js";
import { sandboxInContainer, type OwnedSandbox } from "./sandboxes.js";
import { sandboxesLost } from "./metrics.js";

/** Pending and later calls fail with SANDBOX_LOST; the record says why. */
export async function markLost(ctx: ManagerContext, entry: OwnedSandbox, reason: string): Promise<void> {
  if (entry.record.status !== "ready") return;
  sandboxesLost.inc({ cause: "container" });
  entry.record = { ...entry.record, status: "lost", lost_reason: reason };
  entry.channel?.fail(reason);
  await ctx.records.put(entry.record.id, entry.record);
  ctx.logger.warn({ sandbox_id: entry.record.id, reason }, "sandbox lost");
}

/** A container's death (Docker's `die`/`oom`) is noticed at once; returns the stop function. */
export function watchSandboxDeaths(ctx: ManagerContext): () => void {
  return ctx.runtime.onDeath(({ containerId, reason }) => {
    if (ctx.pool.lose(containerId)) return;
    const entry = sandboxInContainer(ctx.sandboxes, containerId);
    if (entry)
      void markLost(ctx, entry, reason).catch((err: unknown) =>
        ctx.logger.error({ err }, "could not record a lost sandbox"),
      );
  });
}
