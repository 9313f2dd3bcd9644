import { api, type Page } from "./api.js";
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
  created_at: string;
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

export function AgentsPage() {
  const { value, error } = usePage<Agent>("/v1/agents?limit=200");
  return (
    <section>
      <h1>Agents</h1>
      {error && <p className="error-text">{error}</p>}
      <table className="grid">
        <thead>
          <tr>
            <th>name</th>
            <th>id</th>
            <th>version</th>
            <th>model</th>
            <th>tools</th>
            <th>multi-agent</th>
            <th>updated</th>
          </tr>
        </thead>
        <tbody>
          {value?.data.map((a) => (
            <tr key={a.id}>
              <td>{a.name}</td>
              <td>
                <code>{a.id}</code>
              </td>
              <td>{a.version}</td>
              <td>{a.model.id}</td>
              <td>{a.tools.length}</td>
              <td>{a.multiagent?.type ?? "—"}</td>
              <td>{age(a.updated_at)} ago</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function EnvironmentsPage() {
  const { value, error } = usePage<Environment>("/v1/environments?limit=200");
  return (
    <section>
      <h1>Environments</h1>
      {error && <p className="error-text">{error}</p>}
      <table className="grid">
        <thead>
          <tr>
            <th>name</th>
            <th>id</th>
            <th>type</th>
            <th>networking</th>
            <th>created</th>
          </tr>
        </thead>
        <tbody>
          {value?.data.map((e) => (
            <tr key={e.id}>
              <td>{e.name}</td>
              <td>
                <code>{e.id}</code>
              </td>
              <td>{e.config?.type ?? "—"}</td>
              <td>{e.config?.networking?.type ?? "—"}</td>
              <td>{age(e.created_at)} ago</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Credentials({ vaultId }: { vaultId: string }) {
  const { value, error } = usePage<Credential>(`/v1/vaults/${vaultId}/credentials?limit=200`);
  if (error) return <span className="error-text">{error}</span>;
  if (!value?.data.length) return <span className="muted">no credentials</span>;
  return (
    <ul className="plain">
      {value.data.map((c) => (
        <li key={c.id}>
          <strong>{c.display_name ?? c.id}</strong> · {c.auth.type}
          {c.auth.secret_name && (
            <>
              {" "}
              · <code>{c.auth.secret_name}</code>
            </>
          )}
          {c.auth.mcp_server_url && <> · {c.auth.mcp_server_url}</>}
          {c.auth.networking && (
            <>
              {" "}
              · egress {c.auth.networking.type} {c.auth.networking.allowed_hosts?.join(", ")}
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

export function VaultsPage() {
  const { value, error } = usePage<Vault>("/v1/vaults?limit=200");
  return (
    <section>
      <h1>Vaults</h1>
      <p className="muted">Secrets are write-only: the API never returns them, and this page shows none.</p>
      {error && <p className="error-text">{error}</p>}
      <table className="grid">
        <thead>
          <tr>
            <th>vault</th>
            <th>id</th>
            <th>credentials</th>
          </tr>
        </thead>
        <tbody>
          {value?.data.map((v) => (
            <tr key={v.id}>
              <td>{v.display_name}</td>
              <td>
                <code>{v.id}</code>
              </td>
              <td>
                <Credentials vaultId={v.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
