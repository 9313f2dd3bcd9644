import { CorralError, SANDBOX_RPC, isCorralError, sandboxSubject, type SandboxSpec, type ToolResult } from "@corral/protocol";
import { request, type Bus } from "@corral/bus";

export type ExecOutcome = { kind: "result"; result: ToolResult } | { kind: "lost"; reason: string };

/** The harness's view of the hands: provision, and `execute(name, input) → string`. */
export interface Hands {
  provision(sessionId: string, spec: SandboxSpec): Promise<string>;
  execute(sandboxId: string, call: { toolUseId: string; name: string; input: Record<string, unknown> }, signal: AbortSignal): Promise<ExecOutcome>;
}

const EXEC_MARGIN_MS = 30_000;

export function createHands(bus: Bus): Hands {
  return {
    async provision(sessionId, spec) {
      const record = await request(bus, SANDBOX_RPC.provision, { session_id: sessionId, spec }, { timeoutMs: 120_000 });
      return record.id;
    },
    async execute(sandboxId, call, signal) {
      const timeoutMs = (typeof call.input.timeout_ms === "number" ? call.input.timeout_ms : 120_000) + EXEC_MARGIN_MS;
      const pending = request(
        bus,
        SANDBOX_RPC.execute,
        { sandbox_id: sandboxId, tool_use_id: call.toolUseId, name: call.name, input: call.input },
        { subject: sandboxSubject(sandboxId, "exec"), timeoutMs },
      );
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(new CorralError("UNAVAILABLE", "interrupted"));
        signal.addEventListener("abort", () => reject(new CorralError("UNAVAILABLE", "interrupted")), { once: true });
      });
      try {
        return { kind: "result", result: await Promise.race([pending, aborted]) };
      } catch (error) {
        if (signal.aborted) throw error;
        // No responders means the manager that owned the sandbox is gone with it.
        if (isCorralError(error, "SANDBOX_LOST") || isCorralError(error, "UNAVAILABLE")) return { kind: "lost", reason: error.message };
        if (isCorralError(error, "TOOL_OUTCOME_UNKNOWN")) return { kind: "result", result: { content: error.message, is_error: true } };
        if (isCorralError(error, "INVALID_REQUEST") || isCorralError(error, "NOT_FOUND")) return { kind: "result", result: { content: error.message, is_error: true } };
        throw error;
      } finally {
        pending.catch(() => undefined);
      }
    },
  };
}
