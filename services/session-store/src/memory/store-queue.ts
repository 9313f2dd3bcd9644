/**
 * Runs one store's writes on this replica one at a time, in arrival order. Correctness does not depend on it
 * (the version log serializes writers on every replica); it keeps a replica's own writers from racing each
 * other for the same slot, so a busy store costs one attempt per write instead of one per writer.
 */
const tails = new Map<string, Promise<unknown>>();

export function inStoreQueue<T>(storeId: string, run: () => Promise<T>): Promise<T> {
  const before = tails.get(storeId) ?? Promise.resolve();
  const result = before.then(run, run);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  tails.set(storeId, tail);
  void tail.then(() => {
    if (tails.get(storeId) === tail) tails.delete(storeId);
  });
  return result;
}
