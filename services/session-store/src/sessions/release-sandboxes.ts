import { SANDBOX_RPC, sandboxSubject, type SessionId, type ThreadId } from "@corral/protocol";
import { request } from "@corral/bus";
import type { StoreState } from "../state.js";

const RELEASE_TIMEOUT_MS = 5000;

/** Whether a live thread of another session (one the sandbox was handed to) still holds the sandbox. */
async function heldElsewhere(state: StoreState, sessionId: SessionId, holders: string[]): Promise<boolean> {
  for (const holder of holders)
    if (holder !== sessionId && (await state.buckets.threads.get(holder)) !== null) return true;
  return false;
}

/**
 * Lets go of every sandbox the session (and, with `only`, just that thread) holds, so the sandbox-manager
 * can reap them. Once the session is deleted (its record and threads gone), a sandbox no other session's
 * thread holds is destroyed with its workspace volume instead: nobody will come back to those files. Best effort: with no sandbox-manager
 * running there is nothing to let go of.
 */
export async function releaseSandboxes(
  state: StoreState,
  sessionId: SessionId,
  only?: ThreadId,
): Promise<void> {
  const { bus } = state;
  try {
    const { data } = await request(
      bus,
      SANDBOX_RPC.list,
      { session_id: sessionId },
      { timeoutMs: RELEASE_TIMEOUT_MS },
    );
    const deleted = !only && (await state.buckets.sessions.get(sessionId)) === null;
    for (const sandbox of data) {
      if (sandbox.status !== "ready") continue;
      if (deleted && !(await heldElsewhere(state, sessionId, sandbox.holders))) {
        await request(
          bus,
          SANDBOX_RPC.destroy,
          { sandbox_id: sandbox.id, remove_workspace: true },
          { subject: sandboxSubject(sandbox.id, "destroy"), timeoutMs: RELEASE_TIMEOUT_MS },
        );
        continue;
      }
      for (const holder of sandbox.holders.filter((h) => !only || h === only)) {
        await request(
          bus,
          SANDBOX_RPC.handoff,
          { sandbox_id: sandbox.id, from: holder, mode: "release" },
          { subject: sandboxSubject(sandbox.id, "handoff"), timeoutMs: RELEASE_TIMEOUT_MS },
        );
      }
    }
  } catch (err) {
    state.logger.warn({ err, session_id: sessionId }, "sandboxes not released");
  }
}
