/** Token buckets: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  perSecond: number;
  burst: number;
}

export interface RateLimiter {
  /** Takes one token for `id`: 0 when the request may go on, else the seconds until a token is back. */
  take(id: string): number;
  /** `take` without taking: 0 when a token is there. */
  peek(id: string): number;
}

/**
 * One token bucket per id (a key, a client address), at most `maxIds` of them: the least recently used is
 * forgotten first (it comes back full, which a flood of fresh ids cannot use to pass a per-id limit on any
 * id it keeps using).
 */
export function createRateLimiter(limit: RateLimit, maxIds = 10_000): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const tokensOf = (id: string, now: number) => {
    const found = buckets.get(id);
    return found
      ? Math.min(limit.burst, found.tokens + ((now - found.at) / 1000) * limit.perSecond)
      : limit.burst;
  };
  const waitFor = (tokens: number) => Math.max(1, Math.ceil((1 - tokens) / limit.perSecond));
  return {
    peek(id) {
      const tokens = tokensOf(id, Date.now());
      return tokens >= 1 ? 0 : waitFor(tokens);
    },
    take(id) {
      const now = Date.now();
      const tokens = tokensOf(id, now);
      buckets.delete(id);
      if (tokens >= 1) {
        buckets.set(id, { tokens: tokens - 1, at: now });
        if (buckets.size > maxIds) buckets.delete(buckets.keys().next().value as string);
        return 0;
      }
      buckets.set(id, { tokens, at: now });
      return waitFor(tokens);
    },
  };
}
