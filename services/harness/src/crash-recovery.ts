import { append, type Run } from "./run-context.js";

/**
 * A log left `running` means the replica that ran it died (its lease expired and the wake came back):
 * say so, then carry on from the log. A tool call that was in flight is simply run again with the same
 * tool_use id, and the sandbox-manager's ledger answers it with the first run's result. (A coordinator is
 * also left running while it waits for its threads, so it is not told apart.)
 */
export async function recoverIfCrashed(run: Run): Promise<void> {
  const { state } = run.view;
  if (state.status === "running" && Object.keys(state.threads).length === 0) {
    run.log.info({ seq: state.lastSeq }, "resuming a run whose replica died");
    await append(run, [{ type: "session.status_rescheduled" }]);
  }
}
