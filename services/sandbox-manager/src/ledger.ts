import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { CorralError, SandboxId, ToolResult } from "@corral/protocol";
import { retrying, type Bucket } from "@corral/bus";

/** One entry of `corral_tool_ledger`, keyed by tool_use_id (MCP calls have the credential-proxy's own ledger). */
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

/**
 * `resumable`: the work is keyed by the tool_use id inside the sandbox (the executor keeps its results),
 * so a claim left by a manager that died mid-call can be taken over: asking again returns the one result.
 */
export interface Work {
  run(): Promise<ToolResult>;
  resumable: boolean;
}

export interface Ledger {
  /** Runs `work` at most once per tool_use_id, across retries, duplicates, managers and restarts. */
  once(toolUseId: string, sandboxId: SandboxId, work: Work): Promise<ToolResult>;
}

interface Claim {
  entries: Bucket<LedgerEntry>;
  /** This incarnation of the manager; a claim left by another one is an outcome lost in a crash. */
  instance: string;
  toolUseId: string;
  sandboxId: SandboxId;
  /** Results this incarnation has, kept until the ledger has them (a NATS outage must not lose one). */
  finished: Map<string, ToolResult>;
}

/** How long a finished result is retried into the ledger while NATS is away. */
const STORE_RESULT_MS = 120_000;

const runningEntry = (claim: Claim): LedgerEntry => ({
  state: "running",
  sandbox_id: claim.sandboxId,
  instance: claim.instance,
  started_at: new Date().toISOString(),
});

/** Records a result, retrying while the bus is away; until then this incarnation answers from memory. */
async function record(claim: Claim, result: ToolResult): Promise<void> {
  claim.finished.set(claim.toolUseId, result);
  const entry: LedgerEntry = {
    state: "done",
    sandbox_id: claim.sandboxId,
    result,
    finished_at: new Date().toISOString(),
  };
  await retrying(() => claim.entries.put(claim.toolUseId, entry), { deadlineMs: STORE_RESULT_MS });
  claim.finished.delete(claim.toolUseId);
}

/**
 * Runs the claimed work and records its outcome before returning it. A failure once the work was sent is
 * an outcome too (the tool may have run): it is recorded, never run again.
 */
async function runClaimed(claim: Claim, work: Work): Promise<ToolResult> {
  let result: ToolResult;
  try {
    result = await work.run();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lost = error instanceof CorralError && error.code === "SANDBOX_LOST";
    const content = lost
      ? `The sandbox was lost while this tool ran (${message}); its effects are unknown.`
      : `The tool did not finish (${message}); its effects are unknown.`;
    await record(claim, { content, is_error: true }).catch(() => undefined);
    throw error;
  }
  await record(claim, result).catch(() => undefined);
  return result;
}

/** The stored outcome of a claim made elsewhere: its result, null to try again, or TOOL_OUTCOME_UNKNOWN. */
async function settled(claim: Claim, work: Work): Promise<ToolResult | null> {
  const existing = await claim.entries.get(claim.toolUseId);
  if (!existing) return null;
  const { value } = existing;
  if (value.state === "done") return value.result;
  if (value.instance === claim.instance) {
    // Claimed by this instance but not by this call (its first attempt is still settling): wait for it.
    await sleep(20);
    return null;
  }
  if (!work.resumable)
    throw new CorralError(
      "TOOL_OUTCOME_UNKNOWN",
      `tool call ${claim.toolUseId} was running when its sandbox-manager stopped; it is not run again and its outcome is unknown`,
    );
  // A manager that died mid-call: take the claim over (one taker wins) and ask the sandbox again by key.
  const taken = await claim.entries.replace(claim.toolUseId, runningEntry(claim), existing.revision);
  return taken === null ? null : runClaimed(claim, work);
}

async function settle(claim: Claim, work: Work): Promise<ToolResult> {
  for (;;) {
    const kept = claim.finished.get(claim.toolUseId);
    if (kept) return kept;
    if ((await claim.entries.create(claim.toolUseId, runningEntry(claim))) !== null)
      return runClaimed(claim, work);
    const result = await settled(claim, work);
    if (result) return result;
  }
}

/**
 * The exactly-once record of tool effects. A claim (KV create) precedes every run; the outcome is recorded
 * before it is returned. A claim left by a previous incarnation of this manager is resumed when the sandbox
 * keeps keyed results (its executor does), and said plainly to be unknown when it does not.
 */
export function createLedger(entries: Bucket<LedgerEntry>, instance: string): Ledger {
  const inflight = new Map<string, Promise<ToolResult>>();
  const finished = new Map<string, ToolResult>();
  return {
    once(toolUseId, sandboxId, work) {
      const running = inflight.get(toolUseId);
      if (running) return running;
      const attempt = settle({ entries, instance, toolUseId, sandboxId, finished }, work).finally(() =>
        inflight.delete(toolUseId),
      );
      inflight.set(toolUseId, attempt);
      return attempt;
    },
  };
}
