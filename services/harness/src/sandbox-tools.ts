import type { SessionEventInput } from "@corral/protocol";
import type { ToolCall } from "./state.js";
import { text, type Run } from "./run-context.js";
import { ensureSandbox } from "./sandbox-provision.js";

const result = (call: ToolCall, content: string, isError: boolean): SessionEventInput => ({
  type: "agent.tool_result",
  tool_use_id: call.id,
  content: text(content),
  is_error: isError,
});

/**
 * A built-in tool (bash, read, write, …) runs in this log's sandbox, started on first use. A sandbox that
 * died is a tool error for the model, never a dead session; the next call starts a new one.
 */
export async function runSandboxTool(run: Run, call: ToolCall): Promise<SessionEventInput[] | null> {
  const sandboxId = await ensureSandbox(run);
  if (!sandboxId) return [result(call, "No sandbox could be started for this tool call.", true)];
  run.log.debug({ tool_use_id: call.id, sandbox_id: sandboxId }, "tool call sent");
  let outcome;
  try {
    outcome = await run.deps.hands.execute(
      sandboxId,
      { toolUseId: call.id, name: call.name, input: call.input, holder: run.info.logId },
      run.stepAbort.signal,
    );
  } catch (error) {
    if (run.stepAbort.signal.aborted) return null;
    throw error;
  }
  if (outcome.kind === "result") return [result(call, outcome.result.content, outcome.result.is_error)];
  const lost = `The sandbox was lost (${outcome.reason}). The workspace files are kept; the next tool call starts a new sandbox.`;
  return [
    { type: "span.sandbox_lost", sandbox_id: sandboxId, reason: outcome.reason },
    result(call, lost, true),
  ];
}
