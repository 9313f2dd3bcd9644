import { CorralError, WORKSPACE_HEADER, WorkspaceId, type SessionId } from "@corral/protocol";
import type { StoreState } from "./state.js";
import { storedSession } from "./sessions/stored-session.js";
import { inWorkspace } from "./workspace-scope.js";
import { refuseDeepJson } from "./refuse-deep-json.js";

interface RpcMsg {
  headers?: { get(name: string): string } | undefined;
  data: Uint8Array;
}

function sessionIdOf(msg: RpcMsg): SessionId | null {
  try {
    const body = JSON.parse(new TextDecoder().decode(msg.data)) as { session_id?: unknown };
    return typeof body?.session_id === "string" ? (body.session_id as SessionId) : null;
  } catch {
    return null;
  }
}

/**
 * Runs a request for the workspace its caller names in the `Corral-Workspace` header (none: an internal
 * caller, acting for each record's own). A request about a session of another workspace is NOT_FOUND
 * before its handler runs, whatever it asks (events, threads, tasks of that session). A request nested
 * too deep is refused first.
 */
export function inCallerWorkspace<T>(state: StoreState, msg: RpcMsg, run: () => Promise<T>): Promise<T> {
  const named = msg.headers?.get(WORKSPACE_HEADER) || undefined;
  if (named !== undefined && !WorkspaceId.safeParse(named).success)
    return Promise.reject(new CorralError("INVALID_REQUEST", `bad ${WORKSPACE_HEADER} header`));
  return inWorkspace(named, async () => {
    refuseDeepJson(msg.data);
    const sessionId = named === undefined ? null : sessionIdOf(msg);
    if (sessionId) await storedSession(state, sessionId);
    return run();
  });
}
