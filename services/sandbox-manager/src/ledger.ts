import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { CorralError, SandboxId, ToolResult } from "@corral/protocol";
import type { Bucket } from "@corral/bus";

/** One entry of `corral_tool_ledger`, keyed by tool_use_id (the credential-proxy's MCP entries are `mcp.*`). */
export const LedgerEntry = z.discriminatedUnion("state", [
  z.object({
    state: z.literal("running"),
    sandbox_id: SandboxId,
    instance: z.string(),
    started_at: z.string(),
  }),
  z.object({ state: z.literal("done"), sandbox_id: SandboxId, result: ToolResult, finished_at: z.string() }),
]);
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export interface Ledger {
  /** Runs `work` at most once per tool_use_id, across retries, duplicates, managers and restarts. */
  once(toolUseId: string, sandboxId: SandboxId, work: () => Promise<ToolResult>): Promise<ToolResult>;
}

interface Claim {
  entries: Bucket<LedgerEntry>;
  /** This incarnation of the manager; a claim left by another one is an outcome lost in a crash. */
  instance: string;
  toolUseId: string;
  sandboxId: SandboxId;
}

const done = (claim: Claim, result: ToolResult): LedgerEntry => ({
  state: "done",
  sandbox_id: claim.sandboxId,
  result,
  finished_at: new Date().toISOString(),
});

/** Runs the claimed work and stores its result before returning it. */
async function runClaimed(claim: Claim, work: () => Promise<ToolResult>): Promise<ToolResult> {
  try {
    const result = await work();
    await claim.entries.put(claim.toolUseId, done(claim, result));
    return result;
  } catch (error) {
    if (error instanceof CorralError && error.code === "SANDBOX_LOST") {
      const result = {
        content: `The sandbox was lost while this tool ran (${error.message}); its effects are unknown.`,
        is_error: true,
      };
      await claim.entries.put(claim.toolUseId, done(claim, result));
    } else {
      await claim.entries.delete(claim.toolUseId).catch(() => undefined);
    }
    throw error;
  }
}

/** The stored outcome of a claim made elsewhere: its result, null to try again, or TOOL_OUTCOME_UNKNOWN. */
async function settled(claim: Claim): Promise<ToolResult | null> {
  const existing = await claim.entries.get(claim.toolUseId);
  if (!existing) return null;
  if (existing.value.state === "done") return existing.value.result;
  if (existing.value.instance !== claim.instance) {
    throw new CorralError(
      "TOOL_OUTCOME_UNKNOWN",
      `tool call ${claim.toolUseId} was running when its sandbox-manager stopped; it is not run again and its outcome is unknown`,
    );
  }
  // Claimed by this instance but not by this call (its first attempt is still settling): wait for it.
  await sleep(20);
  return null;
}

async function settle(claim: Claim, work: () => Promise<ToolResult>): Promise<ToolResult> {
  for (;;) {
    const running: LedgerEntry = {
      state: "running",
      sandbox_id: claim.sandboxId,
      instance: claim.instance,
      started_at: new Date().toISOString(),
    };
    if ((await claim.entries.create(claim.toolUseId, running)) !== null) return runClaimed(claim, work);
    const result = await settled(claim);
    if (result) return result;
  }
}

/**
 * The exactly-once record of tool effects. A claim (KV create) precedes every run; the result is stored
 * before it is returned. A claim left by a previous incarnation of this manager means the outcome was
 * lost in a crash: that is said plainly, and the tool is not run again.
 */
export function createLedger(entries: Bucket<LedgerEntry>, instance: string): Ledger {
  const inflight = new Map<string, Promise<ToolResult>>();
  return {
    once(toolUseId, sandboxId, work) {
      const running = inflight.get(toolUseId);
      if (running) return running;
      const attempt = settle({ entries, instance, toolUseId, sandboxId }, work).finally(() =>
        inflight.delete(toolUseId),
      );
      inflight.set(toolUseId, attempt);
      return attempt;
    },
  };
}
