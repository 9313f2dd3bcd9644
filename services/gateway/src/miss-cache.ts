/** A bounded set of recently seen strings that forgets each after `ttlMs` (least recently added first when full). */
export function createMissCache(maxEntries: number, ttlMs: number) {
  const until = new Map<string, number>();
  return {
    has(key: string): boolean {
      const expires = until.get(key);
      if (expires === undefined) return false;
      if (expires > Date.now()) return true;
      until.delete(key);
      return false;
    },
    add(key: string): void {
      until.delete(key);
      until.set(key, Date.now() + ttlMs);
      if (until.size > maxEntries) until.delete(until.keys().next().value as string);
    },
  };
}
