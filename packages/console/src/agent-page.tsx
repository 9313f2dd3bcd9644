import type { ReactNode } from "react";
import { api, type Page } from "./api.js";
import { Collapsible } from "./collapsible.js";
import { pretty, time } from "./format.js";
import { usePoll } from "./use-poll.js";

interface AgentVersion {
  id: string;
  name: string;
  version: number;
  description: string | null;
  model: { id: string };
  system: string | null;
  tools: unknown[];
  mcp_servers: unknown[];
  multiagent: unknown;
  updated_at: string;
}

const FIELDS: Array<[string, (a: AgentVersion) => ReactNode]> = [
  ["name", (a) => a.name],
  ["model", (a) => a.model.id],
  ["description", (a) => a.description ?? "—"],
  ["system prompt", (a) => <Collapsible text={a.system ?? ""} limit={300} />],
  ["tools", (a) => <Collapsible text={pretty(a.tools)} limit={300} />],
  [
    "MCP servers",
    (a) => (a.mcp_servers.length ? <Collapsible text={pretty(a.mcp_servers)} limit={300} /> : "—"),
  ],
  ["multi-agent", (a) => (a.multiagent ? <Collapsible text={pretty(a.multiagent)} limit={300} /> : "—")],
  ["made", (a) => time(a.updated_at)],
];

/** An agent's versions side by side, newest first: one column per version, a row per field. */
export function AgentPage({ agentId }: { agentId: string }) {
  const { value, error } = usePoll(
    (signal) => api<Page<AgentVersion>>(`/v1/agents/${agentId}/versions?limit=20`, { signal }),
    10_000,
    [agentId],
  );
  const versions = [...(value?.data ?? [])].sort((a, b) => b.version - a.version);
  return (
    <section>
      <h1>
        Agent {versions[0]?.name ?? ""} <code className="muted">{agentId}</code>
      </h1>
      <p>
        <a href="#/agents">← all agents</a>
      </p>
      {error && <p className="error-text">{error}</p>}
      <div className="versions">
        <table className="grid">
          <thead>
            <tr>
              <th />
              {versions.map((v) => (
                <th key={v.version}>version {v.version}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {FIELDS.map(([label, cell]) => (
              <tr key={label}>
                <th scope="row">{label}</th>
                {versions.map((v) => (
                  <td key={v.version}>{cell(v)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {value?.next_page && <p className="muted">The 20 newest versions.</p>}
    </section>
  );
}
