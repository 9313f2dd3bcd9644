import { useEffect, useState } from "react";

/** Calls `load` now and every `everyMs` while mounted; keeps the last value and error. */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number, deps: unknown[]) {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      load(abort.signal)
        .then((v) => {
          setValue(v);
          setError(null);
        })
        .catch((e: unknown) => !abort.signal.aborted && setError((e as Error).message))
        .finally(() => {
          if (!abort.signal.aborted) timer = setTimeout(run, everyMs);
        });
    };
    run();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [...deps, tick]); // the caller names what `load` depends on
  return { value, error, refresh: () => setTick((t) => t + 1) };
}
