import {
  CorralError,
  isId,
  WORKSPACE_HEADER,
  WorkspaceId,
  type SessionId,
  type ThreadId,
} from "@corral/protocol";
import { existingThread } from "./threads/stored-thread.js";
import type { StoreState } from "./state.js";
import { storedSession } from "./sessions/stored-session.js";
import { inWorkspace } from "./workspace-scope.js";
import { refuseDeepJson } from "./refuse-deep-json.js";

interface RpcMsg {
  headers?: { get(name: string): string } | undefined;
  data: Uint8Array;
}

/** The log a request names (`session_id`: a session's, or a thread's for `events.list`). */
function logIdOf(msg: RpcMsg): string | null {
  try {
    const body = JSON.parse(new TextDecoder().decode(msg.data)) as { session_id?: unknown };
    return typeof body?.session_id === "string" ? body.session_id : null;
  } catch {
    return null;
  }
}

/** NOT_FOUND unless the log's session (a thread's is the session it belongs to) is the caller's. */
async function requireVisibleLog(state: StoreState, logId: string): Promise<void> {
  if (isId("thread", logId)) {
    const thread = await existingThread(state, logId as ThreadId);
    await storedSession(state, thread.record.session_id);
  } else await storedSession(state, logId as SessionId);
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
    const logId = named === undefined ? null : logIdOf(msg);
    if (logId) await requireVisibleLog(state, logId);
    return run();
  });
}
