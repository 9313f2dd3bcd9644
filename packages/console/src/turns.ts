import type { LogEvent, Usage } from "./types.js";

export interface Turn {
  /** Position of the turn's `session.status_running`. */
  seq: number;
  tokens: number;
  ms: number;
  /** Ended in an error or is still running (not idle yet). */
  open: boolean;
}

const ENDS = new Set(["session.status_idle", "session.status_terminated"]);

/**
 * Each turn in the loaded events: from `session.status_running` to the idle (or end) that follows, its time
 * and the tokens (in + out) of its model requests. A turn still running counts up to the last event loaded.
 */
export function turnsOf(events: LogEvent[]): Turn[] {
  const turns: Turn[] = [];
  let current: { seq: number; started: number; tokens: number } | null = null;
  for (const e of events) {
    if (e.type === "session.status_running" && !current)
      current = { seq: e.seq, started: Date.parse(e.processed_at), tokens: 0 };
    if (!current) continue;
    if (e.type === "span.model_request_end") {
      const usage = e.model_usage as Usage | undefined;
      current.tokens += (usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0);
    }
    if (ENDS.has(e.type)) {
      turns.push({ ...current, ms: Date.parse(e.processed_at) - current.started, open: false });
      current = null;
    }
  }
  const last = events.at(-1);
  if (current && last)
    turns.push({ ...current, ms: Date.parse(last.processed_at) - current.started, open: true });
  return turns.slice(-60);
}
