import { CorralError, type SandboxId, type SandboxRecord, type SessionId } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { hostLossOnce, withHostLoss } from "./lost-host.js";

/** Any manager answers from the shared bucket, whichever host owns the sandbox (lost with a lost host). */
export async function getSandbox(ctx: ManagerContext, sandboxId: SandboxId): Promise<SandboxRecord> {
  const entry = await ctx.records.get(sandboxId);
  if (!entry) throw new CorralError("NOT_FOUND", `sandbox ${sandboxId} not found`);
  return withHostLoss(ctx, entry);
}

/**
 * Every sandbox record (`*` matches the one-token sandbox ids, not the `ws.`, `egress.`, `host.` or `place.`
 * keys), those on a lost host as lost (so a session's deletion does not wait on a host that is gone).
 */
export async function listSandboxes(ctx: ManagerContext, sessionId?: SessionId): Promise<SandboxRecord[]> {
  const data: SandboxRecord[] = [];
  const lost = hostLossOnce(ctx);
  for (const key of await ctx.records.keys("*")) {
    const entry = await ctx.records.get(key);
    if (entry && (!sessionId || entry.value.session_id === sessionId))
      data.push(await withHostLoss(ctx, entry, lost));
  }
  return data;
}
