import { readSlice, type SessionLog } from "@corral/bus";
import type { SessionEvent } from "@corral/protocol";
import { foldLog, initialState, reduce, type SessionState } from "./state.js";

/** The log of one session as the runner sees it: every event so far and their fold, kept current. */
export interface SessionView {
  readonly events: readonly SessionEvent[];
  readonly state: SessionState;
  /** Reads whatever was appended since the last look (by anyone). */
  catchUp(): Promise<void>;
  /** Adds events this runner just appended (their positions follow the ones already seen). */
  add(events: readonly SessionEvent[]): void;
}

export async function openSessionView(log: SessionLog, sessionId: string): Promise<SessionView> {
  const events: SessionEvent[] = [];
  let state = initialState();

  function add(more: readonly SessionEvent[]): void {
    for (const event of more) {
      if (event.seq !== state.lastSeq + 1) continue;
      events.push(event);
      state = reduce(state, event);
    }
  }

  async function catchUp(): Promise<void> {
    for (;;) {
      // A run waits out a leader election rather than failing on it (then it would be rescheduled).
      const slice = await readSlice(
        log,
        sessionId,
        { from: state.lastSeq + 1, limit: 1000 },
        { deadlineMs: 30_000 },
      );
      add(slice.events);
      if (slice.nextFrom === null) return;
    }
  }

  await catchUp();
  return {
    get events() {
      return events;
    },
    get state() {
      return state;
    },
    catchUp,
    add,
  };
}

export { foldLog };
