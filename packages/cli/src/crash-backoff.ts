/** How long `corral up` waits before restarting a process that keeps dying. */
export interface Backoff {
  /** The first restart's delay; each crash in a row doubles it. */
  baseMs: number;
  maxMs: number;
  /** A process that ran this long before dying is not in a crash loop: its streak starts again. */
  stableMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { baseMs: 250, maxMs: 10_000, stableMs: 30_000 };

/** Crashes in a row after a run of `ranMs`, given the streak before it. */
export function nextStreak(streak: number, ranMs: number, backoff: Backoff): number {
  return ranMs >= backoff.stableMs ? 1 : streak + 1;
}

/** Capped exponential: base, 2×base, 4×base, … up to max. */
export function restartDelayMs(streak: number, backoff: Backoff): number {
  return Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.max(0, streak - 1));
}

/** "exited with code 1", "killed by SIGKILL", or why it could not start. */
export function describeExit(exit: ProcessExit): string {
  if (exit.error) return `could not start (${exit.error.message})`;
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? "?"}`;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}
