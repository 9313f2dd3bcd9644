import {
  CorralError,
  SANDBOX_RPC,
  isCorralError,
  sandboxSubject,
  type HandoffRequest,
  type SandboxSpec,
  type ToolResult,
} from "@corral/protocol";
import { request, type Bus } from "@corral/bus";

export type ExecOutcome = { kind: "result"; result: ToolResult } | { kind: "lost"; reason: string };

/** The harness's view of the hands: provision, `execute(name, input) → string`, and passing them on. */
export interface Hands {
  /** `owner` is the thread that will hold the sandbox (default: the session itself). */
  provision(sessionId: string, spec: SandboxSpec, owner?: string): Promise<string>;
  execute(
    sandboxId: string,
    call: { toolUseId: string; name: string; input: Record<string, unknown>; holder?: string },
    signal: AbortSignal,
  ): Promise<ExecOutcome>;
  handoff(request: HandoffRequest): Promise<void>;
}

const EXEC_MARGIN_MS = 30_000;

export function createHands(bus: Bus): Hands {
  return {
    async provision(sessionId, spec, owner) {
      const record = await request(
        bus,
        SANDBOX_RPC.provision,
        { session_id: sessionId, spec, ...(owner && owner !== sessionId ? { owner } : {}) },
        { timeoutMs: 120_000 },
      );
      return record.id;
    },
    async handoff(req) {
      await request(bus, SANDBOX_RPC.handoff, req, {
        subject: sandboxSubject(req.sandbox_id, "handoff"),
        timeoutMs: 10_000,
      });
    },
    async execute(sandboxId, call, signal) {
      const timeoutMs =
        (typeof call.input.timeout_ms === "number" ? call.input.timeout_ms : 120_000) + EXEC_MARGIN_MS;
      const pending = request(
        bus,
        SANDBOX_RPC.execute,
        {
          sandbox_id: sandboxId,
          tool_use_id: call.toolUseId,
          name: call.name,
          input: call.input,
          ...(call.holder ? { holder: call.holder } : {}),
        },
        { subject: sandboxSubject(sandboxId, "exec"), timeoutMs },
      );
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(new CorralError("UNAVAILABLE", "interrupted"));
        signal.addEventListener("abort", () => reject(new CorralError("UNAVAILABLE", "interrupted")), {
          once: true,
        });
      });
      try {
        return { kind: "result", result: await Promise.race([pending, aborted]) };
      } catch (error) {
        if (signal.aborted) throw error;
        // No responders means the manager that owned the sandbox is gone with it.
        if (isCorralError(error, "SANDBOX_LOST") || isCorralError(error, "UNAVAILABLE"))
          return { kind: "lost", reason: error.message };
        for (const code of ["TOOL_OUTCOME_UNKNOWN", "INVALID_REQUEST", "NOT_FOUND", "FORBIDDEN"] as const) {
          if (isCorralError(error, code))
            return { kind: "result", result: { content: error.message, is_error: true } };
        }
        throw error;
      } finally {
        pending.catch(() => undefined);
      }
    },
  };
}
