import { setTimeout as sleep } from "node:timers/promises";

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

/** Polls until `check` returns something truthy (and returns it) or the deadline passes (and throws). */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | "">;

export async function waitFor<T>(
  check: () => T | Promise<T>,
  options: WaitForOptions = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(options.message ?? "waitFor: condition not met before the deadline", {
        cause: lastError,
      });
    }
    await sleep(options.intervalMs ?? 25);
  }
}
