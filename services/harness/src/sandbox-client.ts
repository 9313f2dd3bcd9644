import {
  CorralError,
  SANDBOX_RPC,
  TIMEOUTS,
  callerToolWaitMs,
  isCorralError,
  sandboxSubject,
  type EventId,
  type HandoffRequest,
  type LogId,
  type SandboxId,
  type SandboxSpec,
  type SessionId,
  type ToolResult,
} from "@corral/protocol";
import { request, retrying, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";

export type ExecOutcome = { kind: "result"; result: ToolResult } | { kind: "lost"; reason: string };

export interface ToolCallRequest {
  toolUseId: EventId;
  name: string;
  input: Record<string, unknown>;
  holder?: LogId;
}

/** The harness's view of the hands: provision, `execute(name, input) → string`, and passing them on. */
export interface Hands {
  /** `owner` is the log that will hold the sandbox (default: the session itself). */
  provision(sessionId: SessionId, spec: SandboxSpec, owner?: LogId): Promise<ProvisionedSandbox>;
  execute(sandboxId: SandboxId, call: ToolCallRequest, signal: AbortSignal): Promise<ExecOutcome>;
  handoff(request: HandoffRequest): Promise<void>;
}

/** A sandbox just provisioned: its id, and the host (its sandbox-manager's `CORRAL_HOST_ID`) it runs on. */
export interface ProvisionedSandbox {
  id: SandboxId;
  host: string;
}

export interface HandsOptions {
  /** How long a sandbox-manager that does not answer (restarting) is waited for before it counts as gone. */
  retryUnavailableMs: number;
  logger?: Logger;
}

function interruption(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new CorralError("UNAVAILABLE", "interrupted", { retryable: false }));
    if (signal.aborted) fail();
    signal.addEventListener("abort", fail, { once: true });
  });
}

/** What a failed tool call means for the model: a lost sandbox, an error result, or (thrown) try later. */
function execFailure(error: unknown): ExecOutcome {
  // No responders after the retries means the manager that owned the sandbox is gone with it.
  if (isCorralError(error, "SANDBOX_LOST") || isCorralError(error, "UNAVAILABLE"))
    return { kind: "lost", reason: error.message };
  for (const code of ["TOOL_OUTCOME_UNKNOWN", "INVALID_REQUEST", "NOT_FOUND", "FORBIDDEN"] as const) {
    if (isCorralError(error, code))
      return { kind: "result", result: { content: error.message, is_error: true } };
  }
  throw error;
}

/**
 * Nobody serves a sandbox's exec subject: its manager is restarting (wait), or the manager that is back
 * recorded it lost while it was down (a container killed meanwhile) — then it is lost now, not after
 * the whole wait. Any manager answers `get` for the record.
 */
async function stillThere(bus: Bus, sandboxId: SandboxId, error: unknown): Promise<never> {
  if (!isCorralError(error, "UNAVAILABLE")) throw error;
  const record = await request(
    bus,
    SANDBOX_RPC.get,
    { sandbox_id: sandboxId },
    { timeoutMs: TIMEOUTS.rpcMs },
  ).catch(() => null);
  if (record && record.status !== "ready")
    throw new CorralError("SANDBOX_LOST", record.lost_reason ?? `sandbox ${sandboxId} is ${record.status}`, {
      retryable: false,
    });
  throw error;
}

const execRequest = (sandboxId: SandboxId, call: ToolCallRequest) => ({
  sandbox_id: sandboxId,
  tool_use_id: call.toolUseId,
  name: call.name,
  input: call.input,
  ...(call.holder ? { holder: call.holder } : {}),
});

export function createHands(bus: Bus, options: HandsOptions): Hands {
  const retry = <T>(what: string, fn: () => Promise<T>, signal?: AbortSignal) =>
    retrying(fn, {
      deadlineMs: options.retryUnavailableMs,
      signal,
      // Only "nobody answers" is waited out: a timeout may mean the work is under way, so it is not repeated.
      retryOn: (error) => error.code === "UNAVAILABLE",
      onRetry: (error, attempt) => options.logger?.warn({ attempt, code: error.code }, `${what}: retrying`),
    });
  return {
    async provision(sessionId, spec, owner) {
      const req = { session_id: sessionId, spec, ...(owner && owner !== sessionId ? { owner } : {}) };
      // Provisioning is idempotent per owner (asking again joins the one under way), so it is asked again
      // every `provisionAttemptMs`: a sandbox-manager that died mid-provision costs one attempt.
      const opts = { timeoutMs: TIMEOUTS.provisionAttemptMs };
      const record = await retrying(() => request(bus, SANDBOX_RPC.provision, req, opts), {
        deadlineMs: TIMEOUTS.provisionMs + options.retryUnavailableMs,
        maxDelayMs: 1000,
        onRetry: (error, attempt) =>
          options.logger?.warn({ attempt, code: error.code }, "provision: asking again"),
      });
      return { id: record.id, host: record.host };
    },
    async handoff(req) {
      const opts = { subject: sandboxSubject(req.sandbox_id, "handoff"), timeoutMs: TIMEOUTS.rpcMs };
      await retry("handoff", () => request(bus, SANDBOX_RPC.handoff, req, opts));
    },
    async execute(sandboxId, call, signal) {
      const req = execRequest(sandboxId, call);
      // Asked again every `execAttemptMs` with the same tool_use id: the sandbox-manager's ledger runs the
      // tool once and answers every ask with its one result, so a manager that died mid-call (whose reply
      // would never come) costs one attempt, not the whole tool timeout; its restart is waited out.
      const attemptMs = Math.min(callerToolWaitMs(call.input), TIMEOUTS.execAttemptMs);
      const opts = { subject: sandboxSubject(sandboxId, "exec"), timeoutMs: attemptMs };
      const ask = () =>
        request(bus, SANDBOX_RPC.execute, req, opts).catch((error: unknown) =>
          stillThere(bus, sandboxId, error),
        );
      const pending = retrying(ask, {
        deadlineMs: callerToolWaitMs(call.input) + options.retryUnavailableMs,
        signal,
        maxDelayMs: 1000,
        onRetry: (error, attempt) =>
          options.logger?.debug(
            { attempt, code: error.code, sandbox_id: sandboxId, tool_use_id: call.toolUseId },
            "tool call: asking again",
          ),
      });
      pending.catch(() => undefined);
      try {
        return { kind: "result", result: await Promise.race([pending, interruption(signal)]) };
      } catch (error) {
        if (signal.aborted) throw error;
        return execFailure(error);
      }
    },
  };
}
