import { bounded, inSpan } from "@corral/tracing";
import type { Step } from "./decide.js";
import { append, type Run } from "./run-context.js";
import { awaitAction, idle, settleInterrupt, stopOnBudget } from "./rest-steps.js";
import { callModel } from "./call-model.js";
import { route } from "./tool-router.js";

type StepKind = Exclude<Step["kind"], "done">;
type Effect<K extends StepKind> = (run: Run, step: Extract<Step, { kind: K }>) => Promise<void>;

/** Runs the tool calls `decide` found settleable, one at a time, until an interrupt. */
async function runTools(run: Run, step: Extract<Step, { kind: "run_tools" }>): Promise<void> {
  if (run.view.state.status !== "running") await append(run, [{ type: "session.status_running" }]);
  for (const call of step.calls) {
    if (run.stepAbort.signal.aborted) return;
    const attributes = bounded({ "corral.tool.name": call.name, "corral.tool_use_id": call.id });
    await inSpan("harness tool", { attributes }, () => route(run, call));
  }
}

/** What each step `decide` can take does: the one table of step effects. */
export const STEP_EFFECTS: { [K in StepKind]: Effect<K> } = {
  interrupt: settleInterrupt,
  run_tools: runTools,
  await_action: awaitAction,
  call_model: callModel,
  budget_reached: stopOnBudget,
  idle,
};

export function take(run: Run, step: Exclude<Step, { kind: "done" }>): Promise<void> {
  const effect = STEP_EFFECTS[step.kind] as Effect<typeof step.kind>;
  const attributes = bounded({ "corral.session_id": run.info.logId, "corral.step": step.kind });
  return inSpan(`harness ${step.kind}`, { attributes }, () => effect(run, step as never));
}
