import { z } from "zod";
import { setTimeout as sleep } from "node:timers/promises";
import { CorralError, ToolResult } from "@corral/protocol";
import { createJson, getJson, putJson, type KV } from "@corral/bus";

const Entry = z.discriminatedUnion("state", [
  z.object({
    state: z.literal("running"),
    sandbox_id: z.string(),
    instance: z.string(),
    started_at: z.string(),
  }),
  z.object({ state: z.literal("done"), sandbox_id: z.string(), result: ToolResult, finished_at: z.string() }),
]);
type Entry = z.infer<typeof Entry>;

export interface Ledger {
  /** Runs `work` at most once per tool_use_id, across retries, duplicates, managers and restarts. */
  once(toolUseId: string, sandboxId: string, work: () => Promise<ToolResult>): Promise<ToolResult>;
}

/**
 * The exactly-once record of tool effects. A claim (KV create) precedes every run; the result is stored
 * before it is returned. A claim left by a previous incarnation of this manager means the outcome was
 * lost in a crash: that is said plainly, and the tool is not run again.
 */
export function createLedger(kv: KV, instance: string): Ledger {
  const inflight = new Map<string, Promise<ToolResult>>();

  async function settle(
    toolUseId: string,
    sandboxId: string,
    work: () => Promise<ToolResult>,
  ): Promise<ToolResult> {
    for (;;) {
      const claim: Entry = {
        state: "running",
        sandbox_id: sandboxId,
        instance,
        started_at: new Date().toISOString(),
      };
      if ((await createJson(kv, toolUseId, claim)) !== null) {
        try {
          const result = await work();
          await putJson(kv, toolUseId, {
            state: "done",
            sandbox_id: sandboxId,
            result,
            finished_at: new Date().toISOString(),
          } satisfies Entry);
          return result;
        } catch (error) {
          if (error instanceof CorralError && error.code === "SANDBOX_LOST") {
            const result = {
              content: `The sandbox was lost while this tool ran (${error.message}); its effects are unknown.`,
              is_error: true,
            };
            await putJson(kv, toolUseId, {
              state: "done",
              sandbox_id: sandboxId,
              result,
              finished_at: new Date().toISOString(),
            } satisfies Entry);
          } else {
            await kv.delete(toolUseId).catch(() => undefined);
          }
          throw error;
        }
      }
      const existing = await getJson(kv, Entry, toolUseId);
      if (!existing) continue;
      if (existing.value.state === "done") return existing.value.result;
      if (existing.value.instance !== instance) {
        throw new CorralError(
          "TOOL_OUTCOME_UNKNOWN",
          `tool call ${toolUseId} was running when its sandbox-manager stopped; it is not run again and its outcome is unknown`,
        );
      }
      // Claimed by this instance but not by this call (its first attempt is still settling): wait for it.
      await sleep(20);
    }
  }

  return {
    once(toolUseId, sandboxId, work) {
      const running = inflight.get(toolUseId);
      if (running) return running;
      const attempt = settle(toolUseId, sandboxId, work).finally(() => inflight.delete(toolUseId));
      inflight.set(toolUseId, attempt);
      return attempt;
    },
  };
}
