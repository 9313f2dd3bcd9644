import { SANDBOX_RPC, sandboxSubject, type SessionId, type ThreadId } from "@corral/protocol";
import { request } from "@corral/bus";
import type { StoreState } from "../state.js";

const RELEASE_TIMEOUT_MS = 5000;

/**
 * Lets go of every sandbox the session (and, with `only`, just that thread) holds, so the sandbox-manager
 * can reap them. Best effort: with no sandbox-manager running there is nothing to let go of.
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
    for (const sandbox of data) {
      if (sandbox.status !== "ready") continue;
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
