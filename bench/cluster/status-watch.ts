import { setTimeout as sleep } from "node:timers/promises";
import { request, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";

const EVERY_MS = 250;

/**
 * Watches the session list (what the gateway serves as `GET /v1/sessions`) every EVERY_MS and notes, per
 * watched session, when it first shows the session idle after a run (`stop_reason` set): with the time
 * the log's `session.status_idle` was stored, that is the status lag. Failed polls (an election) are
 * skipped; a session shown idle again later keeps its first time.
 */
export function watchStatus(bus: Bus) {
  const watched = new Set<string>();
  const seenIdle = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const page = await request(bus, STORE_RPC.sessionsList, { limit: 100 }, { timeoutMs: 2000 }).catch(
        () => null,
      );
      const now = Date.now();
      for (const s of page?.data ?? [])
        if (watched.has(s.id) && !seenIdle.has(s.id) && s.status === "idle" && s.stop_reason !== null)
          seenIdle.set(s.id, now);
      await sleep(EVERY_MS);
    }
  })();
  return {
    watch: (id: string) => watched.add(id),
    seenIdle,
    async stop() {
      running = false;
      await loop;
    },
  };
}
export type StatusWatch = ReturnType<typeof watchStatus>;
