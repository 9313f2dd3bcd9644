import { estimateTokens, type ModelContext } from "./context.js";
import { append, text, type Run } from "./run-context.js";

const SUMMARY_REQUEST =
  "Summarise the conversation so far for your own future reference: goals, decisions, files touched, open work. Reply with the summary only.";

/** Consecutive messages of one role merged, as the Messages API wants them. */
function mergeTail<T extends { role: string; content: unknown[] }>(messages: T[]): T[] {
  const out: T[] = [];
  for (const m of messages) {
    const last = out[out.length - 1];
    if (last && last.role === m.role) last.content.push(...m.content);
    else out.push({ ...m, content: [...m.content] });
  }
  return out;
}

/**
 * Compaction never deletes: the model summarises what came before the inputs it has not answered yet,
 * and the summary is an event the context strategy builds from. The raw log stays readable.
 */
export async function compact(run: Run): Promise<void> {
  const { view, info, deps } = run;
  const firstNew = view.state.newInputSeqs[0] ?? view.state.lastSeq + 1;
  const throughSeq = firstNew - 1;
  if (throughSeq < 0 || throughSeq <= (view.state.compaction?.throughSeq ?? -1)) return;
  const before = view.events.filter((e) => e.seq <= throughSeq);
  const context: ModelContext = deps.strategy.build(before, view.state, info.session.agent);
  context.messages.push({ role: "user", content: text(SUMMARY_REQUEST) });
  const response = await deps.model.stream(
    {
      model: info.session.agent.model.id,
      max_tokens: deps.config.maxTokens,
      system: context.system,
      messages: mergeTail(context.messages),
      tools: [],
    },
    { signal: run.stepAbort.signal, onText: () => undefined },
  );
  const summary = response.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  await append(run, [
    {
      type: "agent.thread_context_compacted",
      compacted_through_seq: throughSeq,
      summary,
      pre_compaction_tokens: estimateTokens(context),
    },
  ]);
}
