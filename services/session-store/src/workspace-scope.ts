import { AsyncLocalStorage } from "node:async_hooks";
import { CorralError, DEFAULT_WORKSPACE, workspaceOf } from "@corral/protocol";

/**
 * The workspace the current request acts for: the one a client's RPC names (the gateway sends its key's
 * workspace), or a task's. Internal callers (the harness, audits) name none and act for each record's own.
 */
const scope = new AsyncLocalStorage<string>();

export const inWorkspace = <T>(workspace: string | undefined, run: () => Promise<T>): Promise<T> =>
  workspace ? scope.run(workspace, run) : run();

export const callerWorkspace = (): string | undefined => scope.getStore();

/** The workspace a record made now belongs to. */
export const newRecordWorkspace = (): string => scope.getStore() ?? DEFAULT_WORKSPACE;

/** True when the caller may see the record (a record of another workspace does not exist for it). */
export function visibleToCaller(record: { workspace_id?: string }): boolean {
  const caller = scope.getStore();
  return caller === undefined || workspaceOf(record) === caller;
}

/** NOT_FOUND (never FORBIDDEN, so existence does not leak) for a record of another workspace. */
export function requireVisible<T extends { workspace_id?: string }>(record: T, what: string): T {
  if (!visibleToCaller(record)) throw new CorralError("NOT_FOUND", `${what} not found`);
  return record;
}
