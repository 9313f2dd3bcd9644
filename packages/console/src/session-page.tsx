import { useMemo, useState } from "react";
import { api, sendEvents } from "./api.js";
import { Composer } from "./composer.js";
import { age, tokens } from "./format.js";
import { LogView } from "./log-view.js";
import { HandsPanel } from "./hands-panel.js";
import { ThreadsPanel } from "./threads-panel.js";
import type { SessionRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

function Actions({ session, refresh }: { session: SessionRecord; refresh: () => void }) {
  const [armed, setArmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const archived = session.archived_at !== null;
  const run = (p: Promise<unknown>) => p.then(refresh).catch((e: unknown) => setError((e as Error).message));
  return (
    <div className="actions">
      <button
        type="button"
        disabled={archived}
        onClick={() => void run(sendEvents(session.id, [{ type: "user.interrupt" }]))}
      >
        Interrupt
      </button>
      {archived ? null : armed ? (
        <button
          type="button"
          className="danger"
          onClick={() => void run(api(`/v1/sessions/${session.id}/archive`, { method: "POST" }))}
        >
          Confirm archive
        </button>
      ) : (
        <button type="button" className="secondary" onClick={() => setArmed(true)}>
          Archive…
        </button>
      )}
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}

function Header({ session }: { session: SessionRecord }) {
  return (
    <dl className="facts">
      <dt>status</dt>
      <dd>
        <span className={`status ${session.status}`} data-testid="session-status">
          {session.status}
        </span>
        {session.stop_reason && <span className="muted"> ({session.stop_reason.type})</span>}
        {session.archived_at && <span className="badge">archived</span>}
      </dd>
      <dt>agent</dt>
      <dd>
        {session.agent.name} <span className="muted">v{session.agent.version}</span>
      </dd>
      <dt>usage</dt>
      <dd>{tokens(session.usage)}</dd>
      <dt>age</dt>
      <dd>{age(session.created_at)}</dd>
      <dt>events</dt>
      <dd>{session.event_count}</dd>
    </dl>
  );
}

export function SessionPage({ sessionId }: { sessionId: string }) {
  const {
    value: session,
    error,
    refresh,
  } = usePoll((signal) => api<SessionRecord>(`/v1/sessions/${sessionId}`, { signal }), 2000, [sessionId]);
  const paths = useMemo(
    () => ({
      events: `/v1/sessions/${sessionId}/events`,
      stream: `/v1/sessions/${sessionId}/events/stream`,
    }),
    [sessionId],
  );
  return (
    <div className="session-page">
      <header className="page-head">
        <h1>
          {session?.title || "Session"} <code className="muted">{sessionId}</code>
        </h1>
        {session && <Header session={session} />}
        {session && <Actions session={session} refresh={refresh} />}
        {error && <p className="error-text">{error}</p>}
      </header>
      <div className="split">
        <div className="main-col">
          <LogView key={paths.events} paths={paths} sessionId={sessionId} onStatus={refresh} />
          <Composer sessionId={sessionId} disabled={!!session?.archived_at} />
        </div>
        <div className="side">
          <ThreadsPanel sessionId={sessionId} />
          <HandsPanel sessionId={sessionId} />
        </div>
      </div>
    </div>
  );
}
