import { request, subscribeStoredAll, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { setTimeout as sleep } from "node:timers/promises";

const RESTING = new Set(["idle", "terminated"]);

/**
 * Waits for every pending session to rest. The stored-event notices are core NATS (dropped if this client
 * falls behind under load), so every few seconds the ones still pending are asked of the store; sessions
 * that never rest within the deadline stay pending and are counted, not waited for forever.
 */
async function untilDone(bus: Bus, pending: Set<string>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let checked = Date.now(); pending.size > 0 && Date.now() < deadline; await sleep(20)) {
    if (Date.now() - checked < 5000) continue;
    checked = Date.now();
    for (const sid of [...pending].slice(0, 100)) {
      const record = await request(bus, STORE_RPC.sessionsGet, { session_id: sid }).catch(() => null);
      if (record && RESTING.has(record.status)) pending.delete(sid);
    }
  }
}

/** Sessions of one short turn each, all sent at once; returns sessions/s and how many did not end cleanly. */
export async function burst(
  bus: Bus,
  agentId: string,
  environmentId: string,
  count: number,
): Promise<{ perSecond: number; failed: number; unfinished: number }> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 50) {
    ids.push(
      ...(await Promise.all(
        Array.from(
          { length: Math.min(50, count - i) },
          async () =>
            (await request(bus, STORE_RPC.sessionsCreate, { agent: agentId, environment_id: environmentId }))
              .id,
        ),
      )),
    );
  }
  const pending = new Set(ids);
  const failed = new Set<string>();
  const unsubscribe = subscribeStoredAll(bus, (sid, types) => {
    if (types.includes("session.error")) failed.add(sid);
    if (types.includes("session.status_idle") || types.includes("session.status_terminated"))
      pending.delete(sid);
  });
  const t0 = performance.now();
  for (let i = 0; i < ids.length; i += 100) {
    await Promise.all(
      ids.slice(i, i + 100).map((sid) =>
        request(bus, STORE_RPC.eventsSend, {
          session_id: sid,
          events: [{ type: "user.message", content: [{ type: "text", text: "hi" }] }],
        }),
      ),
    );
  }
  await untilDone(bus, pending);
  const seconds = (performance.now() - t0) / 1000;
  unsubscribe();
  return { perSecond: count / seconds, failed: failed.size, unfinished: pending.size };
}
