import { useMemo } from "react";
import { api } from "./api.js";
import { tokens } from "./format.js";
import { LogView } from "./log-view.js";
import { HandsPanel } from "./hands-panel.js";
import { ThreadsPanel } from "./threads-panel.js";
import type { ThreadRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

/** One thread's own timeline; answers to its tool calls go to the session, which routes them. */
export function ThreadPage({ sessionId, threadId }: { sessionId: string; threadId: string }) {
  const base = `/v1/sessions/${sessionId}/threads/${threadId}`;
  const { value: thread, error } = usePoll((signal) => api<ThreadRecord>(base, { signal }), 2000, [base]);
  const paths = useMemo(() => ({ events: `${base}/events`, stream: `${base}/stream` }), [base]);
  return (
    <div className="session-page">
      <header className="page-head">
        <h1>
          Thread {thread?.agent.name ?? ""} <code className="muted">{threadId}</code>
        </h1>
        <p>
          of session <a href={`#/sessions/${sessionId}`}>{sessionId}</a>
          {thread && (
            <>
              {" "}
              · <span className={`status ${thread.status}`}>{thread.status}</span> · {tokens(thread.usage)}
            </>
          )}
        </p>
        {error && <p className="error-text">{error}</p>}
      </header>
      <div className="split">
        <div className="main-col">
          <LogView key={paths.events} paths={paths} sessionId={sessionId} />
        </div>
        <div className="side">
          <ThreadsPanel sessionId={sessionId} current={threadId} />
          <HandsPanel sessionId={sessionId} />
        </div>
      </div>
    </div>
  );
}
