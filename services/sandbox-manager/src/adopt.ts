import { isId, type SandboxId, type SandboxRecord } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { ManagerContext } from "./context.js";
import { LABELS } from "./labels.js";
import { own } from "./own.js";
import type { ContainerInfo } from "./sandbox-runtime.js";

/** A container the record no longer backs is removed; a record that still said ready says why it is lost. */
async function discardStale(
  ctx: ManagerContext,
  container: ContainerInfo,
  record: Versioned<SandboxRecord> | null,
): Promise<void> {
  await ctx.runtime.remove(container.id);
  if (record?.value.status !== "ready") return;
  await ctx.records.put(record.value.id, {
    ...record.value,
    status: "lost",
    lost_reason: "the sandbox stopped while its manager was down",
  });
}

async function adoptOne(ctx: ManagerContext, sandboxId: SandboxId, container: ContainerInfo): Promise<void> {
  // Labels cannot change after creation, so a claimed pool container still says "pool": the record decides.
  const record = await ctx.records.get(sandboxId);
  if (!record && container.labels[LABELS.pool] === "1") {
    // A pool container of an earlier layout (no outputs mount) is not handed out: a new one replaces it.
    if (container.running && container.labels[LABELS.outputs] === "1")
      await ctx.pool.adopt(sandboxId, container.id, container.labels);
    else await ctx.runtime.remove(container.id);
    return;
  }
  if (!record || record.value.status !== "ready" || !container.running)
    return discardStale(ctx, container, record);
  const channel = container.labels[LABELS.executor] === "1" ? await ctx.runtime.attach(container.id) : null;
  own(ctx, record.value, channel);
  ctx.logger.info({ sandbox_id: sandboxId }, "sandbox re-adopted");
}

/** A restarted manager takes back its containers, found by this host's label. */
export async function adoptContainers(ctx: ManagerContext): Promise<void> {
  const labels = { [LABELS.host]: ctx.config.hostId, ...ctx.config.extraLabels };
  for (const container of await ctx.runtime.list(labels)) {
    const sandboxId = container.labels[LABELS.sandboxId];
    if (sandboxId && isId("sandbox", sandboxId)) await adoptOne(ctx, sandboxId, container);
  }
}
