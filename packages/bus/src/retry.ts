import { setTimeout as sleep } from "node:timers/promises";
import { CorralError } from "@corral/protocol";

export interface RetryOptions {
  /** Stop retrying once this long has passed since the first attempt (Infinity: until `signal`). */
  deadlineMs: number;
  /** Aborting stops the waiting; the last error is thrown. */
  signal?: AbortSignal;
  /** The first wait; it doubles on every attempt up to `maxDelayMs`. Default 100. */
  initialDelayMs?: number;
  /** Default 5000. */
  maxDelayMs?: number;
  /** Narrows what is retried among the retryable errors (e.g. only UNAVAILABLE, when a timeout may mean the work is under way). */
  retryOn?: (error: CorralError) => boolean;
  /** Told about every failure that will be retried, before the wait (for a log line). */
  onRetry?: (error: CorralError, attempt: number, delayMs: number) => void;
}

/** True for the failures worth trying again: a CorralError marked retryable (UNAVAILABLE, TIMEOUT, ...). */
export const isRetryable = (error: unknown): error is CorralError =>
  error instanceof CorralError && error.retryable;

/** Capped exponential backoff with jitter: a random wait between half and all of the capped delay. */
export function backoffMs(attempt: number, initialDelayMs = 100, maxDelayMs = 5000): number {
  const capped = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(attempt - 1, 30));
  return capped / 2 + Math.random() * (capped / 2);
}

/**
 * Runs `fn` until it succeeds, retrying only retryable CorralErrors, for at most `deadlineMs` of waiting.
 * Anything else, and the last retryable error once time is up, is thrown as it is. A restart of the
 * service on the other end becomes a delay for the caller, not a failure.
 */
export async function retrying<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const deadline = Date.now() + options.deadlineMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (!isRetryable(error) || options.signal?.aborted) throw error;
      if (options.retryOn && !options.retryOn(error)) throw error;
      const delayMs = Math.min(
        backoffMs(attempt, options.initialDelayMs, options.maxDelayMs),
        deadline - Date.now(),
      );
      if (delayMs <= 0) throw error;
      options.onRetry?.(error, attempt, delayMs);
      const woke = await sleep(delayMs, true, { signal: options.signal }).catch(() => false);
      if (!woke) throw error;
    }
  }
}
