import type { Budget, EventId } from "@corral/protocol";
import { awaited, type SessionState, type ToolCall } from "./state.js";

export type Step =
  | { kind: "interrupt"; open: ToolCall[] }
  | { kind: "run_tools"; calls: ToolCall[] }
  | { kind: "await_action"; eventIds: EventId[] }
  | { kind: "call_model" }
  | { kind: "budget_reached" }
  | { kind: "idle" }
  | { kind: "done" };

/** A call the harness may settle by itself: run it, or answer a denial. */
function settleable(call: ToolCall): boolean {
  if (call.kind === "custom") return false;
  if (call.permission === "ask") return call.confirmation !== null;
  return true;
}

/** `sharedTokens`: what the session's other threads have used; a session's budget covers all its threads. */
export function overBudget(
  state: SessionState,
  budget: Budget | null,
  now: number,
  sharedTokens = 0,
): boolean {
  if (!budget) return false;
  const tokens = state.usage.input_tokens + state.usage.output_tokens + sharedTokens;
  if (budget.max_tokens !== undefined && tokens >= budget.max_tokens) return true;
  if (budget.max_turns !== undefined && state.modelRequests >= budget.max_turns) return true;
  if (budget.max_wall_clock_seconds !== undefined && state.firstRunningAt) {
    return (now - Date.parse(state.firstRunningAt)) / 1000 >= budget.max_wall_clock_seconds;
  }
  return false;
}

/**
 * What to do next, decided from the folded log alone, so a replica that picks the session up after a
 * crash takes exactly the step the dead one would have taken.
 */
export function decide(state: SessionState, budget: Budget | null, now = Date.now(), sharedTokens = 0): Step {
  if (state.status === "terminated") return { kind: "done" };
  if (state.pendingInterrupt) return { kind: "interrupt", open: state.openCalls };
  const runnable = state.openCalls.filter(settleable);
  if (runnable.length > 0) return { kind: "run_tools", calls: runnable };
  if (state.openCalls.length > 0) {
    const waiting = state.openCalls.map((c) => c.id);
    const already =
      state.status === "idle" &&
      state.lastStopReason?.type === "requires_action" &&
      sameIds(state.lastStopReason.event_ids, waiting);
    return already ? { kind: "done" } : { kind: "await_action", eventIds: waiting };
  }
  const owed = Object.values(state.threads).some(awaited);
  // Replies are taken together, once every thread the coordinator waits for has answered (a message
  // from the user is taken at once, with whatever replies have come).
  const onlyReplies = state.newInputSeqs.every((seq) => state.replySeqs.includes(seq));
  if (state.newInputSeqs.length > 0 && !(owed && onlyReplies))
    return overBudget(state, budget, now, sharedTokens) ? { kind: "budget_reached" } : { kind: "call_model" };
  // A coordinator waiting for its threads stays running; their replies wake it.
  if (owed) return { kind: "done" };
  return state.status === "idle" ? { kind: "done" } : { kind: "idle" };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}
