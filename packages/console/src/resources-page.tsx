import type { ReactNode } from "react";
import { api, type Page } from "./api.js";
import { DataTable, type Column } from "./data-table.js";
import { age } from "./format.js";
import { usePoll } from "./use-poll.js";

interface Agent {
  id: string;
  name: string;
  version: number;
  model: { id: string };
  tools: unknown[];
  multiagent: { type: string } | null;
  updated_at: string;
}
interface Environment {
  id: string;
  name: string;
  config?: { type?: string; networking?: { type?: string } };
  created_at: string;
}
interface Vault {
  id: string;
  display_name: string;
}
/** Only fields that are never secret are read from a credential (the API sends no secret anyway). */
interface Credential {
  id: string;
  display_name: string | null;
  auth: {
    type: string;
    secret_name?: string;
    mcp_server_url?: string;
    networking?: { type: string; allowed_hosts?: string[] };
  };
}

function usePage<T>(path: string) {
  return usePoll((signal) => api<Page<T>>(path, { signal }), 10_000, [path]);
}

const code = (id: string) => <code>{id}</code>;

function ListPage<T extends { id: string }>(props: {
  title: string;
  path: string;
  columns: Column<T>[];
  note?: ReactNode;
}) {
  const { value, error } = usePage<T>(props.path);
  return (
    <section>
      <h1>{props.title}</h1>
      {props.note}
      {error && <p className="error-text">{error}</p>}
      <DataTable columns={props.columns} rows={value?.data ?? []} />
    </section>
  );
}

const AGENT_COLUMNS: Column<Agent>[] = [
  { header: "name", cell: (a) => <a href={`#/agents/${a.id}`}>{a.name}</a> },
  { header: "id", cell: (a) => code(a.id) },
  { header: "version", cell: (a) => a.version },
  { header: "model", cell: (a) => a.model.id },
  { header: "tools", cell: (a) => a.tools.length },
  { header: "multi-agent", cell: (a) => a.multiagent?.type ?? "—" },
  { header: "updated", cell: (a) => `${age(a.updated_at)} ago` },
];

const ENVIRONMENT_COLUMNS: Column<Environment>[] = [
  { header: "name", cell: (e) => e.name },
  { header: "id", cell: (e) => code(e.id) },
  { header: "type", cell: (e) => e.config?.type ?? "—" },
  { header: "networking", cell: (e) => e.config?.networking?.type ?? "—" },
  { header: "created", cell: (e) => `${age(e.created_at)} ago` },
];

function credentialLine(c: Credential): string {
  const parts = [c.auth.type, c.auth.secret_name, c.auth.mcp_server_url];
  const egress = c.auth.networking;
  if (egress) parts.push(`egress ${egress.type} ${egress.allowed_hosts?.join(", ") ?? ""}`.trim());
  return parts.filter(Boolean).join(" · ");
}

function Credentials({ vaultId }: { vaultId: string }) {
  const { value, error } = usePage<Credential>(`/v1/vaults/${vaultId}/credentials?limit=200`);
  if (error) return <span className="error-text">{error}</span>;
  if (!value?.data.length) return <span className="muted">no credentials</span>;
  return (
    <ul className="plain">
      {value.data.map((c) => (
        <li key={c.id}>
          <strong>{c.display_name ?? c.id}</strong> · {credentialLine(c)}
        </li>
      ))}
    </ul>
  );
}

const VAULT_COLUMNS: Column<Vault>[] = [
  { header: "vault", cell: (v) => v.display_name },
  { header: "id", cell: (v) => code(v.id) },
  { header: "credentials", cell: (v) => <Credentials vaultId={v.id} /> },
];

export const AgentsPage = () => (
  <ListPage title="Agents" path="/v1/agents?limit=200" columns={AGENT_COLUMNS} />
);

export const EnvironmentsPage = () => (
  <ListPage title="Environments" path="/v1/environments?limit=200" columns={ENVIRONMENT_COLUMNS} />
);

export const VaultsPage = () => (
  <ListPage
    title="Vaults"
    path="/v1/vaults?limit=200"
    columns={VAULT_COLUMNS}
    note={
      <p className="muted">Secrets are write-only: the API never returns them, and this page shows none.</p>
    }
  />
);
