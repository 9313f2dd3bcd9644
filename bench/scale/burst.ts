import { request, subscribeStoredAll, type Bus } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { waitFor } from "@corral/testing";

/** Sessions of one short turn each, all sent at once; returns sessions/s and how many did not end cleanly. */
export async function burst(
  bus: Bus,
  agentId: string,
  environmentId: string,
  count: number,
): Promise<{ perSecond: number; failed: number }> {
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
  await waitFor(() => pending.size === 0, { timeoutMs: 600_000, intervalMs: 20 });
  const seconds = (performance.now() - t0) / 1000;
  unsubscribe();
  return { perSecond: count / seconds, failed: failed.size };
}
