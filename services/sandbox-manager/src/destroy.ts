import type { SandboxRecord } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { dropSandbox, type OwnedSandbox } from "./sandboxes.js";
import { removeWorkspace } from "./workspace.js";

/** Removes the container (and, when asked, the workspace volume); the record stays, as destroyed. */
export async function destroy(
  ctx: ManagerContext,
  entry: OwnedSandbox,
  withWorkspace: boolean,
): Promise<SandboxRecord> {
  entry.channel?.close();
  await ctx.runtime.remove(entry.record.container_id);
  dropSandbox(ctx.sandboxes, entry);
  entry.record = { ...entry.record, status: "destroyed" };
  await ctx.records.put(entry.record.id, entry.record);
  if (withWorkspace) await removeWorkspace(ctx, entry.record);
  return entry.record;
}
