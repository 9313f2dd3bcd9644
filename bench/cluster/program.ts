import { lastUserText, stepProgram, type ReceivedRequest, type ScriptedReply } from "@corral/testing";

/** Tool steps per batch session, and how long the scripted model thinks before each answer. */
export const STEPS = 3;
export const THINK_MS = 300;

/**
 * The model every stack of the bench talks to: a message starting with `quick` is answered at once with
 * text (the TTFT probes and the tasks), anything else runs `stepProgram` (STEPS tool calls, then the
 * token), thinking THINK_MS per answer. `arrived` resolves when a quick message reached the model.
 */
export function benchProgram() {
  const steps = stepProgram(STEPS, [THINK_MS, THINK_MS]);
  const arrivals = new Map<string, number>();
  const waiters = new Map<string, () => void>();
  const reply = (req: ReceivedRequest): ScriptedReply => {
    const text = lastUserText(req);
    if (!text.startsWith("quick")) return steps(req);
    if (!arrivals.has(text)) arrivals.set(text, req.receivedAt);
    waiters.get(text)?.();
    return { type: "message", content: [{ type: "text", text: "done" }] };
  };
  const arrived = (text: string) =>
    arrivals.has(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.set(text, resolve));
  return { reply, arrived, arrivalOf: (text: string) => arrivals.get(text) };
}
export type BenchProgram = ReturnType<typeof benchProgram>;
