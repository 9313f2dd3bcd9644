import type { LogEvent } from "./types.js";

/** The sandbox spans the hands panel reads from each log (with the API's `types[]` filter). */
export const SANDBOX_SPANS = ["span.sandbox_provision_end", "span.sandbox_handoff", "span.sandbox_lost"];

/** One holding of a sandbox by a thread of the session (`null`: the primary thread). */
export interface Holding {
  thread: string | null;
  since: string;
  /** How it came to hold it: provisioned for it, or handed in (share, transfer, return). */
  how: string;
}

export interface SandboxHands {
  id: string;
  /** The Docker host it runs on (its sandbox-manager's `CORRAL_HOST_ID`), from the provision span; null in older logs. */
  host: string | null;
  holders: Holding[];
  /** Set when the log says it was lost (the next tool call provisions another). */
  lost: string | null;
  /** Its changes of hands in time order: who gave it to whom, and how. */
  handoffs: { at: string; from: string | null; to: string | null; mode: string }[];
}

/** A log's own events, tagged with the thread whose log it is (`null`: the session's primary thread). */
export interface LogEvents {
  thread: string | null;
  events: LogEvent[];
}

const str = (v: unknown) => (typeof v === "string" ? v : null);

function apply(hands: Map<string, SandboxHands>, thread: string | null, e: LogEvent) {
  const id = str(e.sandbox_id);
  if (!id) return;
  const sandbox = hands.get(id) ?? { id, host: null, holders: [], lost: null, handoffs: [] };
  hands.set(id, sandbox);
  const drop = () => (sandbox.holders = sandbox.holders.filter((h) => h.thread !== thread));
  const hold = (how: string) => {
    drop();
    sandbox.holders.push({ thread, since: e.processed_at, how });
  };
  if (e.type === "span.sandbox_provision_end" && e.is_error !== true) {
    sandbox.host = str(e.host) ?? sandbox.host;
    hold("provisioned");
  } else if (e.type === "span.sandbox_lost") {
    sandbox.lost = str(e.reason) ?? "lost";
    drop();
  } else if (e.type === "span.sandbox_handoff") {
    const peer = str(e.peer_thread_id);
    if (e.direction === "in") hold(`${String(e.mode)} from ${peer ?? "primary"}`);
    else {
      sandbox.handoffs.push({ at: e.processed_at, from: thread, to: peer, mode: String(e.mode) });
      if (e.mode !== "share") drop();
    }
  }
}

/**
 * Which thread holds which sandbox, folded from the sandbox spans of the session's log and its threads' logs
 * in time order (a handoff is in both logs: the giver's `out` records it, the taker's `in` makes it hold).
 */
export function foldHands(logs: LogEvents[]): SandboxHands[] {
  const all = logs.flatMap(({ thread, events }) => events.map((event) => ({ thread, event })));
  all.sort((a, b) => a.event.processed_at.localeCompare(b.event.processed_at) || a.event.seq - b.event.seq);
  const hands = new Map<string, SandboxHands>();
  for (const { thread, event } of all) apply(hands, thread, event);
  return [...hands.values()];
}
