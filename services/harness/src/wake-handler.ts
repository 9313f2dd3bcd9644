import { WakeMessage, isCorralError, type LogId } from "@corral/protocol";
import type { JsMsg } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { Leases } from "./lease.js";
import type { RunnerDeps, SessionInfo } from "./run-context.js";
import { runSession } from "./run-session.js";
import { openSessionView, type SessionView } from "./session-view.js";

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

/**
 * Runs the log a wake names until it is at a durable rest (idle, waiting for the client or its threads,
 * terminated), then acks the wake and every copy that came meanwhile. A wake is never acked while its log
 * still has work: if this replica stops or loses the lease, the wakes go back to be taken elsewhere.
 */
export function createWakeHandler(deps: WakeHandlerDeps): WakeHandler {
  const active = new Map<LogId, ActiveRun>();

  async function runUntilRest(
    logId: LogId,
    entry: ActiveRun,
    signal: AbortSignal,
    first: Promise<SessionInfo>,
    view: Promise<SessionView>,
  ) {
    let info = first;
    let prefetched: Promise<SessionView> | undefined = view;
    for (;;) {
      entry.again = false;
      await runSession(deps.runner, await info, signal, prefetched);
      prefetched = undefined;
      // Checked and cleared in one synchronous step, so a wake arriving now takes the normal path.
      if (!entry.again || signal.aborted) return;
      info = deps.loadInfo(logId);
    }
  }

  function settle(msgs: JsMsg[], verdict: "ack" | "retry" | "now"): void {
    for (const msg of msgs) {
      if (verdict === "ack") msg.ack();
      else msg.nak(verdict === "now" ? 0 : deps.busyRetryMs);
    }
  }

  async function handleLeased(msg: JsMsg, logId: LogId): Promise<void> {
    // The record and the log are read while the lease is being taken: they are what the first model call needs.
    const info = deps.loadInfo(logId);
    info.catch(() => undefined);
    const view = openSessionView(deps.runner.log, logId);
    view.catch(() => undefined);
    const lease = await deps.leases.acquire(logId);
    if (!lease) return void msg.nak(deps.busyRetryMs);
    const entry: ActiveRun = { again: false, held: [] };
    active.set(logId, entry);
    const keepalive = setInterval(() => [msg, ...entry.held].forEach((m) => m.working()), deps.keepaliveMs);
    const signal = AbortSignal.any([lease.lost, deps.stopping]);
    try {
      await runUntilRest(logId, entry, signal, info, view);
      active.delete(logId);
      settle([msg, ...entry.held], signal.aborted ? "now" : "ack");
    } catch (error) {
      active.delete(logId);
      if (isCorralError(error, "NOT_FOUND")) {
        deps.logger.warn({ session_id: logId }, "wake for a session that no longer exists");
        settle([msg, ...entry.held], "ack");
      } else {
        deps.logger.error({ err: error, session_id: logId }, "session run failed; will retry");
        settle([msg, ...entry.held], "retry");
      }
    } finally {
      clearInterval(keepalive);
      await lease.release();
    }
  }

  return {
    async handle(msg) {
      let body: unknown = null;
      try {
        body = msg.json();
      } catch {
        // not JSON: refused below like any other malformed wake
      }
      const wake = WakeMessage.safeParse(body);
      if (!wake.success) {
        deps.logger.warn({ subject: msg.subject }, "malformed wake dropped");
        return void msg.term();
      }
      const logId = wake.data.session_id;
      const running = active.get(logId);
      if (!running) return handleLeased(msg, logId);
      // Another copy is being run here: this one is settled with it, never acked before the log is at rest.
      running.again = true;
      running.held.push(msg);
    },
    active: () => [...active.keys()],
  };
}
