import { z } from "zod";
import { getJson, createJson, isKeyConflict, type KV } from "@corral/bus";

const Lease = z.object({ holder: z.string(), expires_at: z.number() });
type Lease = z.infer<typeof Lease>;

export interface Leases {
  /** Takes the session's lease if it is free or expired; returns a handle, or null when another holder has it. */
  acquire(sessionId: string): Promise<LeaseHandle | null>;
}

export interface LeaseHandle {
  /** Aborts when the lease is lost (a heartbeat found someone else holding it, or could not renew in time). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * One runner per session across all replicas: a KV entry per session, taken with create or a
 * revision-checked update of an expired entry, and renewed by heartbeat.
 */
export function createLeases(kv: KV, holder: string, ttlMs: number): Leases {
  async function take(sessionId: string): Promise<number | null> {
    const lease: Lease = { holder, expires_at: Date.now() + ttlMs };
    const created = await createJson(kv, sessionId, lease);
    if (created !== null) return created;
    const current = await getJson(kv, Lease, sessionId);
    if (current && current.value.holder !== holder && current.value.expires_at > Date.now()) return null;
    try {
      return current
        ? await kv.update(sessionId, JSON.stringify(lease), current.revision)
        : await kv.create(sessionId, JSON.stringify(lease));
    } catch (error) {
      if (isKeyConflict(error)) return null;
      throw error;
    }
  }

  return {
    async acquire(sessionId) {
      let revision = await take(sessionId);
      if (revision === null) return null;
      const lost = new AbortController();
      const timer = setInterval(
        () => {
          const lease: Lease = { holder, expires_at: Date.now() + ttlMs };
          kv.update(sessionId, JSON.stringify(lease), revision!).then(
            (next) => (revision = next),
            () => {
              clearInterval(timer);
              lost.abort();
            },
          );
        },
        Math.max(100, Math.floor(ttlMs / 3)),
      );
      return {
        lost: lost.signal,
        async release() {
          clearInterval(timer);
          if (lost.signal.aborted) return;
          lost.abort();
          await kv.delete(sessionId, { previousSeq: revision! }).catch(() => undefined);
        },
      };
    },
  };
}
