/** How much one store may hold: each bound keeps a record, a key or a page under the NATS payload limit. */
export const MEMORY_LIMITS = {
  /** Live memories per store (the index of a store is one KV value). */
  memoriesPerStore: 1000,
  /** The index's encoded size: paths are at most 1,024 bytes, so the count alone does not bound it. */
  indexBytes: 768 * 1024,
  /** Versions kept per store; older ones are pruned, never one that holds a live memory's content. */
  versionsKept: 2000,
  /** How often (in versions) a store's old versions are pruned. */
  pruneEvery: 64,
  /** Attempts at a write that keeps losing its slot in the log to other writers before CONFLICT. */
  writeAttempts: 50,
  /** Bytes of content per snapshot page (one memory alone may exceed it: a page holds at least one). */
  snapshotPageBytes: 512 * 1024,
  /** Items per list page with `view=full`. */
  fullViewLimit: 20,
} as const;
