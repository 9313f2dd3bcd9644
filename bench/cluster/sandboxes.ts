import { setTimeout as sleep } from "node:timers/promises";
import { request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, sandboxSubject, type SessionId } from "@corral/protocol";

/** Resolves (with the time, epoch ms) once every one of `ids` has a ready sandbox, or after 60 s. */
export async function untilProvisioned(bus: Bus, ids: readonly SessionId[]): Promise<number> {
  const wanted = new Set<string>(ids);
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const listed = await request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 2000 }).catch(() => ({ data: [] }));
    const ready = new Set(listed.data.filter((s) => s.status === "ready").map((s) => s.session_id));
    if ([...wanted].every((id) => ready.has(id))) return Date.now();
    await sleep(250);
  }
  process.stdout.write("not every session had a sandbox after 60 s\n");
  return Date.now();
}

/** Destroys the sessions' sandboxes (and workspaces), so the next batch starts on an equally loaded host. */
export async function clearSandboxes(bus: Bus, ids: readonly SessionId[]): Promise<void> {
  for (const id of ids) {
    const listed = await request(bus, SANDBOX_RPC.list, { session_id: id }).catch(() => ({ data: [] }));
    for (const s of listed.data.filter((x) => x.status === "ready"))
      await request(
        bus,
        SANDBOX_RPC.destroy,
        { sandbox_id: s.id, remove_workspace: true },
        { subject: sandboxSubject(s.id, "destroy") },
      ).catch(() => undefined);
  }
  await sleep(5000); // the warm pools refill
}
