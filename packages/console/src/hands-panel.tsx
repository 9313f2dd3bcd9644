import { useRef } from "react";
import { api, query, type Page } from "./api.js";
import { age } from "./format.js";
import { foldHands, SANDBOX_SPANS, type LogEvents, type SandboxHands } from "./hands.js";
import type { LogEvent, SessionRecord, ThreadRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

const EVERY_MS = 3000;

/** What has been read of one log: its sandbox spans by id, and the position the next read starts at. */
interface LogScan {
  next: number;
  spans: Map<string, LogEvent>;
}

/**
 * Reads a log's sandbox spans from where the last read stopped (`position`, then the pages after it), so each
 * poll costs the events appended since, never the whole log again.
 */
async function scanLog(path: string, eventCount: number, scan: LogScan, signal: AbortSignal) {
  if (eventCount <= scan.next) return;
  let url: string | null = `${path}${query({ position: scan.next, types: SANDBOX_SPANS, limit: 1000 })}`;
  while (url) {
    const page: Page<LogEvent> = await api<Page<LogEvent>>(url, { signal });
    for (const e of page.data) scan.spans.set(e.id, e);
    url = page.next_page
      ? `${path}${query({ page: page.next_page, types: SANDBOX_SPANS, limit: 1000 })}`
      : null;
  }
  scan.next = eventCount;
}

interface Hands {
  sandboxes: SandboxHands[];
  threads: Map<string, ThreadRecord>;
}

async function readHands(
  sessionId: string,
  scans: Map<string, LogScan>,
  signal: AbortSignal,
): Promise<Hands> {
  const base = `/v1/sessions/${sessionId}`;
  const [session, threads] = await Promise.all([
    api<SessionRecord>(base, { signal }),
    api<Page<ThreadRecord>>(`${base}/threads?limit=1000`, { signal }),
  ]);
  const logs = [
    { id: sessionId, path: `${base}/events`, count: session.event_count, thread: null },
    ...threads.data.map((t) => ({
      id: t.id,
      path: `${base}/threads/${t.id}/events`,
      count: t.event_count,
      thread: t.id,
    })),
  ];
  const read: LogEvents[] = [];
  for (const log of logs) {
    const scan = scans.get(log.id) ?? { next: 0, spans: new Map() };
    scans.set(log.id, scan);
    await scanLog(log.path, log.count, scan, signal);
    read.push({ thread: log.thread, events: [...scan.spans.values()] });
  }
  return { sandboxes: foldHands(read), threads: new Map(threads.data.map((t) => [t.id, t])) };
}

function Holder({ sessionId, thread, hands }: { sessionId: string; thread: string | null; hands: Hands }) {
  if (thread === null) return <span>primary thread</span>;
  const name = hands.threads.get(thread)?.agent.name ?? thread;
  return <a href={`#/sessions/${sessionId}/threads/${thread}`}>{name}</a>;
}

function SandboxItem({
  sessionId,
  sandbox,
  hands,
}: {
  sessionId: string;
  sandbox: SandboxHands;
  hands: Hands;
}) {
  return (
    <li data-sandbox={sandbox.id}>
      <code>{sandbox.id}</code>
      {sandbox.host !== null && (
        <span className="muted small" data-host={sandbox.host}>
          {" "}
          on host <code>{sandbox.host}</code>
        </span>
      )}
      {sandbox.lost !== null && (
        <span className="badge bad" title={sandbox.lost}>
          lost
        </span>
      )}
      {sandbox.holders.length === 0 && sandbox.lost === null && <span className="muted"> · not held</span>}
      <ul className="holders">
        {sandbox.holders.map((h) => (
          <li key={h.thread ?? "primary"} data-holder={h.thread ?? "primary"}>
            held by <Holder sessionId={sessionId} thread={h.thread} hands={hands} />{" "}
            <span className="muted small" title={h.since}>
              ({h.how}, {age(h.since)} ago)
            </span>
          </li>
        ))}
        {sandbox.handoffs.map((o) => (
          <li key={`${o.at}-${o.to ?? "primary"}`} className="muted small">
            {o.mode}: <Holder sessionId={sessionId} thread={o.from} hands={hands} /> →{" "}
            <Holder sessionId={sessionId} thread={o.to} hands={hands} />
          </li>
        ))}
      </ul>
    </li>
  );
}

/**
 * Which brain holds which hands: each sandbox the session's threads used, who holds it now and since when,
 * the host it runs on, and its handoffs between threads, all folded from the sandbox spans of the logs (the
 * public API alone: the host is the provision span's, absent from logs written before it was recorded).
 */
export function HandsPanel({ sessionId }: { sessionId: string }) {
  const scans = useRef(new Map<string, LogScan>());
  const { value, error } = usePoll((signal) => readHands(sessionId, scans.current, signal), EVERY_MS, [
    sessionId,
  ]);
  return (
    <section className="hands" aria-label="sandboxes">
      <h2>Sandboxes</h2>
      {error && <p className="error-text">{error}</p>}
      {!value ? (
        <p className="muted">loading…</p>
      ) : value.sandboxes.length === 0 ? (
        <p className="muted">No sandbox yet (one is provisioned at the first tool call).</p>
      ) : (
        <ul className="tree">
          {value.sandboxes.map((s) => (
            <SandboxItem key={s.id} sessionId={sessionId} sandbox={s} hands={value} />
          ))}
        </ul>
      )}
    </section>
  );
}
