import { SANDBOX_RPC, sandboxSubject, type SandboxRecord } from "@corral/protocol";
import { serve } from "@corral/bus";
import type { ExecutorChannel } from "./channel.js";
import type { ManagerContext } from "./context.js";
import { destroy } from "./destroy.js";
import { execute } from "./execute.js";
import { handoff } from "./handoff.js";
import { addSandbox, type OwnedSandbox } from "./sandboxes.js";

/**
 * Takes a sandbox on: its exec, destroy and handoff subjects are served by this manager alone, so NATS
 * routes them to the Docker host that has the container, and "no responders" means its owner is gone.
 */
export function own(
  ctx: ManagerContext,
  record: SandboxRecord,
  channel: ExecutorChannel | null,
): OwnedSandbox {
  const entry: OwnedSandbox = { record, channel, subscriptions: [], lastUsedMs: Date.now() };
  const subject = (verb: "exec" | "destroy" | "handoff") => ({ subject: sandboxSubject(record.id, verb) });
  entry.subscriptions.push(
    serve(ctx.bus, SANDBOX_RPC.execute, (req) => execute(ctx, entry, req), subject("exec")),
    serve(
      ctx.bus,
      SANDBOX_RPC.destroy,
      (req) => destroy(ctx, entry, req.remove_workspace),
      subject("destroy"),
    ),
    serve(ctx.bus, SANDBOX_RPC.handoff, (req) => handoff(ctx, entry, req), subject("handoff")),
  );
  addSandbox(ctx.sandboxes, entry);
  return entry;
}
