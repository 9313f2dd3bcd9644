import { flush, type Bus, type WorkLoop } from "@corral/bus";
import type { Logger } from "@corral/logger";
import type { StoreConfig } from "./config.js";
import { openStoreState } from "./state.js";
import { STORE_ROUTES } from "./routes.js";
import { startProjector } from "./projector/projector.js";
import { startTaskIntake } from "./tasks/task-intake.js";
import { watchSessionChanges } from "./gate.js";
import { reportWakeBacklog } from "./metrics.js";

export interface SessionStoreService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a started store holds, to let go of on stop. */
interface Running {
  subscriptions: { unsubscribe(): void }[];
  loops: WorkLoop[];
  stopWatch: (() => void) | null;
  stopReport: (() => void) | null;
}

/**
 * The session-store: the session logs and the agent, environment, session, thread and task records.
 * A thin shell: it opens the state, starts the projector, the session watch and task intake, and serves
 * `STORE_ROUTES`; each verb lives in a file of its own.
 */
export function createSessionStore(deps: {
  bus: Bus;
  logger: Logger;
  config: StoreConfig;
}): SessionStoreService {
  const running: Running = { subscriptions: [], loops: [], stopWatch: null, stopReport: null };

  async function start(): Promise<void> {
    const state = await openStoreState(deps);
    running.loops.push(await startProjector(state));
    running.stopWatch = watchSessionChanges(state);
    for (const route of STORE_ROUTES) running.subscriptions.push(route.serve(state));
    if (deps.config.taskIntake) running.loops.push(await startTaskIntake(state));
    running.stopReport = reportWakeBacklog(deps.bus);
    await flush(deps.bus); // the RPC subscriptions are live on the server before start() resolves
    deps.logger.info({ rpcs: running.subscriptions.length }, "session-store started");
  }

  async function stop(): Promise<void> {
    for (const sub of running.subscriptions) sub.unsubscribe();
    running.stopWatch?.();
    running.stopReport?.();
    for (const loop of running.loops.reverse()) await loop.stop();
  }

  return { start, stop };
}
