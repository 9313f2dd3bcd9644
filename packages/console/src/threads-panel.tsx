import { api, type Page } from "./api.js";
import { tokens } from "./format.js";
import type { ThreadRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

function ThreadItem({ thread, all }: { thread: ThreadRecord; all: ThreadRecord[] }) {
  const children = all.filter((t) => t.parent_thread_id === thread.id);
  return (
    <li>
      <a href={`#/sessions/${thread.session_id}/threads/${thread.id}`}>{thread.agent.name}</a>{" "}
      <span className={`status ${thread.status}`}>{thread.status}</span>
      <div className="muted small">
        {thread.id} · {thread.event_count} events · {tokens(thread.usage)}
      </div>
      {children.length > 0 && (
        <ul className="tree">
          {children.map((c) => (
            <ThreadItem key={c.id} thread={c} all={all} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** A session's threads as a tree (threads started by the primary agent at the top). */
export function ThreadsPanel({ sessionId, current }: { sessionId: string; current?: string }) {
  const { value, error } = usePoll(
    (signal) => api<Page<ThreadRecord>>(`/v1/sessions/${sessionId}/threads?limit=1000`, { signal }),
    3000,
    [sessionId],
  );
  const threads = value?.data ?? [];
  const roots = threads.filter(
    (t) => t.parent_thread_id === null || !threads.some((p) => p.id === t.parent_thread_id),
  );
  return (
    <aside className="threads" aria-label="threads">
      <h2>Threads</h2>
      {current && (
        <p>
          <a href={`#/sessions/${sessionId}`}>← primary thread</a>
        </p>
      )}
      {error && <p className="error-text">{error}</p>}
      {threads.length === 0 ? (
        <p className="muted">No threads.</p>
      ) : (
        <ul className="tree">
          {roots.map((t) => (
            <ThreadItem key={t.id} thread={t} all={threads} />
          ))}
        </ul>
      )}
    </aside>
  );
}
