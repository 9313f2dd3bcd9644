import { CorralError } from "@corral/protocol";
import type { KV } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { SessionStore } from "./sessions.js";

interface GateState {
  archived: boolean;
  terminated: boolean;
}

export interface SessionGate {
  /** Throws unless the session exists and may take events from this kind of sender. */
  check(sessionId: string, sender: "client" | "internal"): Promise<void>;
  start(): Promise<void>;
  stop(): void;
}

/**
 * Appends are the hot path, so the session's archive/terminate state is cached here and dropped whenever
 * the record changes in KV (any replica's change reaches every replica's watcher).
 */
export function createSessionGate(deps: { kv: KV; sessions: SessionStore; logger: Logger }): SessionGate {
  const cache = new Map<string, GateState>();
  let watcher: { stop(): void } | null = null;

  async function state(sessionId: string): Promise<GateState> {
    const cached = cache.get(sessionId);
    if (cached) return cached;
    const { record } = await deps.sessions.stored(sessionId);
    const fresh = { archived: record.archived_at !== null, terminated: record.status === "terminated" };
    if (cache.size > 100_000) cache.clear();
    cache.set(sessionId, fresh);
    return fresh;
  }

  return {
    async check(sessionId, sender) {
      const s = await state(sessionId);
      if (s.archived) throw new CorralError("ARCHIVED", `session ${sessionId} is archived and read-only`);
      if (s.terminated && sender === "client")
        throw new CorralError("CONFLICT", `session ${sessionId} is terminated`, { retryable: false });
    },
    async start() {
      const iterator = await deps.kv.watch({ include: "updates" });
      watcher = iterator;
      void (async () => {
        for await (const entry of iterator) cache.delete(entry.key);
      })().catch((err: unknown) => deps.logger.error({ err }, "session watch ended"));
    },
    stop() {
      watcher?.stop();
    },
  };
}
