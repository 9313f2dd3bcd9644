import { useState } from "react";
import { api, query, type Page } from "./api.js";
import { age, tokens } from "./format.js";
import { NewSession } from "./new-session.js";
import type { SessionRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

const STATUSES = ["running", "idle", "rescheduling", "terminated"];

function matches(s: SessionRecord, search: string): boolean {
  const q = search.trim().toLowerCase();
  return !q || s.id.toLowerCase().includes(q) || (s.title ?? "").toLowerCase().includes(q);
}

function Row({ s }: { s: SessionRecord }) {
  return (
    <tr>
      <td>
        <a href={`#/sessions/${s.id}`}>{s.title || s.id}</a>
        {s.title && <div className="muted small">{s.id}</div>}
      </td>
      <td>
        <span className={`status ${s.status}`}>{s.status}</span>
        {s.archived_at && <span className="badge">archived</span>}
      </td>
      <td>{s.agent.name}</td>
      <td>{age(s.created_at)}</td>
      <td>{tokens(s.usage)}</td>
      <td>{s.event_count}</td>
      <td className="small">{s.task_id ?? "—"}</td>
    </tr>
  );
}

/** Sessions, newest first, refreshed every 2 s; filtered by status on the server, searched here. */
export function SessionsPage() {
  const [status, setStatus] = useState("");
  const [search, setSearch] = useState("");
  const [archived, setArchived] = useState(false);
  const { value, error } = usePoll(
    (signal) =>
      api<Page<SessionRecord>>(
        `/v1/sessions${query({ limit: 200, statuses: status ? [status] : undefined, include_archived: archived })}`,
        { signal },
      ),
    2000,
    [status, archived],
  );
  const rows = (value?.data ?? []).filter((s) => matches(s, search));
  return (
    <div>
      <header className="page-head">
        <h1>Sessions</h1>
        <NewSession />
      </header>
      <div className="filters" role="search">
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Search{" "}
          <input
            type="search"
            value={search}
            placeholder="id or title"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <label>
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> include
          archived
        </label>
        {error && <span className="error-text">{error}</span>}
      </div>
      <table className="grid">
        <thead>
          <tr>
            <th>session</th>
            <th>status</th>
            <th>agent</th>
            <th>age</th>
            <th>usage</th>
            <th>events</th>
            <th>task</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s) => (
            <Row key={s.id} s={s} />
          ))}
        </tbody>
      </table>
      {value && rows.length === 0 && <p className="muted">No sessions match.</p>}
      {value?.next_page && <p className="muted">Showing the newest 200.</p>}
    </div>
  );
}
