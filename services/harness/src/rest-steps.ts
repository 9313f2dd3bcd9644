import type { EventId, SessionEventInput, StopReason } from "@corral/protocol";
import type { ToolCall } from "./state.js";
import { append, text, usageEvent, type Run } from "./run-context.js";

const INTERRUPTED = "Tool execution was interrupted before completion. Please retry.";

/** Brings the log to rest with this stop reason (guarded: an input that just landed is decided on first). */
async function rest(run: Run, stopReason: StopReason, before: SessionEventInput[] = []): Promise<void> {
  await append(run, [...before, usageEvent(run), { type: "session.status_idle", stop_reason: stopReason }], {
    guarded: true,
  });
}

/** An interrupt: every open tool call is answered as interrupted, and the session idles. */
export async function settleInterrupt(run: Run, step: { open: ToolCall[] }): Promise<void> {
  const answers = step.open.map(
    (c): SessionEventInput => ({
      type: "agent.tool_result",
      tool_use_id: c.id,
      content: text(INTERRUPTED),
      is_error: true,
    }),
  );
  await rest(run, { type: "end_turn" }, answers);
}

/** Tool calls only the client can settle (confirmations, custom tools): the session waits for it. */
export const awaitAction = (run: Run, step: { eventIds: EventId[] }) =>
  rest(run, { type: "requires_action", event_ids: step.eventIds });

export const stopOnBudget = (run: Run) => rest(run, { type: "budget_reached" });

export const idle = (run: Run) => rest(run, { type: "end_turn" });
