import { CorralError, type SandboxId, type SandboxRecord, type SessionId } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { withHostLoss } from "./lost-host.js";

/** Any manager answers from the shared bucket, whichever host owns the sandbox (lost with a lost host). */
export async function getSandbox(ctx: ManagerContext, sandboxId: SandboxId): Promise<SandboxRecord> {
  const entry = await ctx.records.get(sandboxId);
  if (!entry) throw new CorralError("NOT_FOUND", `sandbox ${sandboxId} not found`);
  return withHostLoss(ctx, entry);
}

/** Every sandbox record (`*` matches the one-token sandbox ids, not the `ws.` or `egress.` keys). */
export async function listSandboxes(ctx: ManagerContext, sessionId?: SessionId): Promise<SandboxRecord[]> {
  const data: SandboxRecord[] = [];
  for (const key of await ctx.records.keys("*")) {
    const entry = await ctx.records.get(key);
    if (entry && (!sessionId || entry.value.session_id === sessionId)) data.push(entry.value);
  }
  return data;
}
