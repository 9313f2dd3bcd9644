/** At most this many provision times are remembered (a host's provisions are bounded by SANDBOX_MAX anyway). */
const MAX_REMEMBERED = 4096;
/** The span a burst is counted over: provisions closer together than this are one burst. */
const BURST_MS = 10_000;

/** Recent provisions on this host: the warm pool's size follows the largest burst among them. */
export interface WarmDemand {
  /** A provision happened now. */
  record(now?: number): void;
  /** The most provisions within any burst span of the last `windowMs` (0 when there were none). */
  peak(now?: number): number;
}

export function createWarmDemand(windowMs: number): WarmDemand {
  const burstMs = Math.min(BURST_MS, windowMs);
  let times: number[] = [];
  const prune = (now: number) => {
    const first = times.findIndex((t) => now - t <= windowMs);
    times = first < 0 ? [] : times.slice(first);
  };
  return {
    record(now = Date.now()) {
      prune(now);
      times.push(now);
      if (times.length > MAX_REMEMBERED) times.shift();
    },
    peak(now = Date.now()) {
      prune(now);
      let most = 0;
      for (let start = 0, end = 0; end < times.length; end++) {
        while (times[end]! - times[start]! > burstMs) start++;
        most = Math.max(most, end - start + 1);
      }
      return most;
    },
  };
}
