import { WakeMessage, isCorralError, type LogId } from "@corral/protocol";
import { traceContextOf, type JsMsg } from "@corral/bus";
import { bounded, inSpan, withContext } from "@corral/tracing";
import type { Logger } from "@corral/logger";
import type { LeaseHandle, Leases } from "./lease.js";
import { LeaseLost, type RunnerDeps, type SessionInfo } from "./run-context.js";
import { runSession } from "./run-session.js";
import { openSessionView, type SessionView } from "./session-view.js";
import { sessionsRunning } from "./metrics.js";

/** A log this replica is running, with the wakes that came for it meanwhile (settled when the run is). */
interface ActiveRun {
  again: boolean;
  held: JsMsg[];
}

export interface WakeHandlerDeps {
  runner: RunnerDeps;
  leases: Leases;
  logger: Logger;
  loadInfo(logId: LogId): Promise<SessionInfo>;
  stopping: AbortSignal;
  /** How often a wake being handled tells JetStream it is still in hand (well inside the ack wait). */
  keepaliveMs: number;
  busyRetryMs: number;
}

export interface WakeHandler {
  handle(msg: JsMsg): Promise<void>;
  active(): LogId[];
}

/** The handler's state: its dependencies and the logs it is running. */
interface Handler extends WakeHandlerDeps {
  active: Map<LogId, ActiveRun>;
}

/** What the first run needs, read while the lease is being taken (time to first token). */
interface Prefetch {
  info: Promise<SessionInfo>;
  view: Promise<SessionView>;
}

type Verdict = "ack" | "retry" | "now" | "busy";

/** A run that keeps failing is tried again later and later (capped), not in a tight loop. */
const RETRY_CAP_MS = 30_000;

function settle(h: Handler, msgs: JsMsg[], verdict: Verdict): void {
  for (const msg of msgs) {
    if (verdict === "ack") msg.ack();
    else if (verdict === "now") msg.nak(0);
    else if (verdict === "busy") msg.nak(h.busyRetryMs);
    else msg.nak(Math.min(RETRY_CAP_MS, h.busyRetryMs * 2 ** Math.min(10, msg.info.deliveryCount - 1)));
  }
}

/** Runs the log until it rests; a wake that came during a run asks for one more look afterwards. */
async function runUntilRest(h: Handler, logId: LogId, entry: ActiveRun, lease: LeaseHandle, first: Prefetch) {
  const signal = AbortSignal.any([lease.lost, h.stopping]);
  let info = first.info;
  let view = first.view;
  for (;;) {
    entry.again = false;
    await runSession(h.runner, await info, signal, lease, view);
    // Checked and cleared in one synchronous step, so a wake arriving now takes the normal path.
    if (!entry.again || signal.aborted) return;
    info = h.loadInfo(logId);
    // The view the run left, caught up: another look at a log in hand does not read all of it again.
    view = view.then(async (current) => (await current.catchUp(), current));
  }
}

/** What a run's end means for its wakes: at rest (ack), stopped (back at once) or failed (back later). */
function verdictOf(h: Handler, logId: LogId, error: unknown, aborted: boolean): Verdict {
  if (error === undefined) return aborted ? "now" : "ack";
  if (error instanceof LeaseLost) return "now";
  if (isCorralError(error, "NOT_FOUND")) {
    h.logger.warn({ session_id: logId }, "wake for a session that no longer exists");
    return "ack";
  }
  h.logger.error({ err: error, session_id: logId }, "session run failed; will retry");
  return "retry";
}

/**
 * Takes the log's lease and runs it. The log counts as active here from the first moment (before the lease
 * is asked for), so a second copy of its wake is held, never run beside it: two runs in one process share
 * the process's lease holder and would each think the lease theirs.
 */
async function handleLeased(h: Handler, msg: JsMsg, logId: LogId): Promise<void> {
  const entry: ActiveRun = { again: false, held: [] };
  h.active.set(logId, entry);
  const first: Prefetch = { info: h.loadInfo(logId), view: openSessionView(h.runner.log, logId) };
  first.info.catch(() => undefined);
  first.view.catch(() => undefined);
  const lease = await h.leases.acquire(logId).catch((error: unknown) => {
    h.active.delete(logId);
    settle(h, entry.held, "busy");
    throw error;
  });
  if (!lease) {
    h.active.delete(logId);
    return settle(h, [msg, ...entry.held], "busy");
  }
  // Caught up as soon as the lease is held, while the record may still be on its way (time to first token).
  first.view = first.view.then(async (view) => (await view.catchUp(), view));
  first.view.catch(() => undefined);
  const keepalive = setInterval(() => [msg, ...entry.held].forEach((m) => m.working()), h.keepaliveMs);
  let failure: unknown = undefined;
  sessionsRunning.inc();
  try {
    await runUntilRest(h, logId, entry, lease, first);
  } catch (error) {
    failure = error ?? new Error("run failed");
  } finally {
    sessionsRunning.dec();
    h.active.delete(logId);
    clearInterval(keepalive);
    const stopped = lease.lost.aborted || h.stopping.aborted;
    settle(h, [msg, ...entry.held], verdictOf(h, logId, failure, stopped));
    await lease.release();
  }
}

function parseWake(h: Handler, msg: JsMsg): WakeMessage | null {
  let body: unknown = null;
  try {
    body = msg.json();
  } catch {
    // not JSON: refused below like any other malformed wake
  }
  const wake = WakeMessage.safeParse(body);
  if (wake.success) return wake.data;
  h.logger.warn({ subject: msg.subject }, "malformed wake dropped");
  msg.term();
  return null;
}

/**
 * Runs the log a wake names until it is at a durable rest (idle, waiting for the client or its threads,
 * terminated), then acks the wake and every copy that came meanwhile. A wake is never acked while its log
 * still has work: if this replica stops or loses the lease, the wakes go back to be taken elsewhere.
 */
export function createWakeHandler(deps: WakeHandlerDeps): WakeHandler {
  const h: Handler = { ...deps, active: new Map() };
  return {
    async handle(msg) {
      const wake = parseWake(h, msg);
      if (!wake) return;
      const running = h.active.get(wake.session_id);
      // The run is the child of whatever woke it (a user message's append, a sweep): one trace per message.
      const attributes = bounded({ "corral.session_id": wake.session_id, "corral.wake_seq": wake.seq });
      if (!running)
        return withContext(traceContextOf(msg), () =>
          inSpan("harness run", { attributes }, () => handleLeased(h, msg, wake.session_id)),
        );
      // Another copy is being run here: this one is settled with it, never acked before the log is at rest.
      running.again = true;
      running.held.push(msg);
    },
    active: () => [...h.active.keys()],
  };
}
