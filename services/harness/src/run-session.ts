import { subscribeStored } from "@corral/bus";
import { decide } from "./decide.js";
import { openSessionView, type SessionView } from "./session-view.js";
import { toolCatalog } from "./tool-catalog.js";
import type { Run, RunnerDeps, SessionInfo } from "./run-context.js";
import { recoverIfCrashed } from "./crash-recovery.js";
import { provision } from "./sandbox-provision.js";
import { take } from "./steps.js";
import type { Tenure } from "./lease.js";

async function openRun(
  deps: RunnerDeps,
  info: SessionInfo,
  tenure: Tenure,
  prefetched?: Promise<SessionView>,
): Promise<Run> {
  // A view read while the lease was taken comes caught up since it was held (see wake-handler.ts).
  const view = prefetched ? await prefetched : await openSessionView(deps.log, info.logId);
  const own = view.state.usage.input_tokens + view.state.usage.output_tokens;
  return {
    deps,
    info,
    view,
    log: deps.logger.child({ session_id: info.logId }),
    catalog: toolCatalog(info.session.agent, new Map(), {
      roster: info.roster,
      isThread: info.threadId !== null,
    }),
    mcpListed: false,
    stepAbort: new AbortController(),
    sharedTokens: Math.max(0, info.sessionTokens - own),
    tenure,
    superseded: false,
  };
}

/** An interrupt stored in this log aborts the step in flight (one naming another log is not for this run). */
function abortOnInterrupt(run: Run): () => void {
  return subscribeStored(run.deps.bus, run.info.logId, (types) => {
    if (!types.includes("user.interrupt")) return;
    void run.view.catchUp().then(
      () => run.view.state.pendingInterrupt && run.stepAbort.abort(),
      () => run.stepAbort.abort(),
    );
  });
}

/**
 * Runs one log until it has nothing left to do (idle, waiting for the client or its threads, terminated)
 * or `signal` aborts (the lease was lost or the process is stopping); `tenure` fences every append to the
 * time the lease is certainly this run's. Every step is decided from the log
 * and every effect is an append, so killing the process at any point loses nothing.
 */
export async function runSession(
  deps: RunnerDeps,
  info: SessionInfo,
  signal: AbortSignal,
  tenure: Tenure,
  prefetched?: Promise<SessionView>,
): Promise<void> {
  const run = await openRun(deps, info, tenure, prefetched);
  const stopWatching = abortOnInterrupt(run);
  const onStop = () => run.stepAbort.abort();
  signal.addEventListener("abort", onStop, { once: true });
  try {
    await recoverIfCrashed(run);
    if (deps.config.coupled && !run.view.state.sandbox) await provision(run);
    for (let fresh = true; !signal.aborted; fresh = false) {
      if (!fresh) await run.view.catchUp();
      run.stepAbort = new AbortController();
      if (signal.aborted) return;
      const step = decide(run.view.state, info.session.budget ?? null, Date.now(), run.sharedTokens);
      run.log.debug({ step: step.kind }, "step");
      if (step.kind === "done") return;
      await take(run, step);
    }
  } finally {
    signal.removeEventListener("abort", onStop);
    stopWatching();
  }
}
