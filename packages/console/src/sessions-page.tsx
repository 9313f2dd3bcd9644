import { useState } from "react";
import { api, query, type Page } from "./api.js";
import { DataTable, type Column } from "./data-table.js";
import { age, tokens } from "./format.js";
import { NewSession } from "./new-session.js";
import type { SessionRecord } from "./types.js";
import { usePoll } from "./use-poll.js";

const STATUSES = ["running", "idle", "rescheduling", "terminated"];

function matches(s: SessionRecord, search: string): boolean {
  const q = search.trim().toLowerCase();
  return !q || s.id.toLowerCase().includes(q) || (s.title ?? "").toLowerCase().includes(q);
}

const COLUMNS: Column<SessionRecord>[] = [
  {
    header: "session",
    cell: (s) => (
      <>
        <a href={`#/sessions/${s.id}`}>{s.title || s.id}</a>
        {s.title && <div className="muted small">{s.id}</div>}
      </>
    ),
  },
  {
    header: "status",
    cell: (s) => (
      <>
        <span className={`status ${s.status}`}>{s.status}</span>
        {s.archived_at && <span className="badge">archived</span>}
      </>
    ),
  },
  { header: "agent", cell: (s) => s.agent.name },
  { header: "age", cell: (s) => age(s.created_at) },
  { header: "usage", cell: (s) => tokens(s.usage) },
  { header: "events", cell: (s) => s.event_count },
  { header: "task", cell: (s) => <span className="small">{s.task_id ?? "—"}</span> },
];

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
      <DataTable columns={COLUMNS} rows={rows} />
      {value && rows.length === 0 && <p className="muted">No sessions match.</p>}
      {value?.next_page && <p className="muted">Showing the newest 200.</p>}
    </div>
  );
}
