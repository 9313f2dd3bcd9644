import { lastUserText, stepProgram, type ReceivedRequest, type ScriptedReply } from "@corral/testing";

/** Tool steps per batch session, and how long the scripted model thinks before each answer. */
export const STEPS = 3;
export const THINK_MS = 300;

/**
 * What every stack of the bench runs with beyond the defaults: task intake on, and the harness's own
 * lease TTL (5 s) rather than the 2 s the chaos tests use to fail over fast.
 */
export const BENCH_STACK = { taskIntake: true, leaseTtlMs: 5000 } as const;

/**
 * The model every stack of the bench talks to: a message starting with `quick` is answered at once with
 * text (the TTFT probes and the tasks), anything else runs `stepProgram` (the tool calls its first message asks
 * for, `count N steps`, else STEPS; then the token), thinking THINK_MS per answer. `arrived` resolves when a quick message reached the model.
 */
export function benchProgram() {
  const programs = new Map<number, ReturnType<typeof stepProgram>>();
  const steps = (req: ReceivedRequest) => {
    const n = Number(/count (\d+) steps/.exec(JSON.stringify(req.body.messages[0]))?.[1] ?? STEPS);
    if (!programs.has(n)) programs.set(n, stepProgram(n, [THINK_MS, THINK_MS]));
    return programs.get(n)!(req);
  };
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
