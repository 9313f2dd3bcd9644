/**
 * One run of `work` at a time, and every caller that arrives while one runs shares the next run, which
 * starts once the current one ends (so it sees everything done before its callers asked). Asks repeated
 * faster than a run takes — a caller asking again every few seconds while the host is slow — cost one more
 * run, never a queue that grows without end and delays every answer behind it.
 */
export function serialRuns<T>(work: () => Promise<T>): () => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  let queued: Promise<T> | null = null;
  return () => {
    if (queued) return queued;
    const run = tail.then(() => {
      queued = null;
      return work();
    });
    queued = run;
    tail = run.catch(() => undefined);
    return run;
  };
}
