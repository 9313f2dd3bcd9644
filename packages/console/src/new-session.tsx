import { useEffect, useState } from "react";
import { api, type Page } from "./api.js";

interface Named {
  id: string;
  name: string;
}

/** Starts a session of an agent in an environment, then opens it. */
export function NewSession() {
  const [open, setOpen] = useState(false);
  const [agents, setAgents] = useState<Named[]>([]);
  const [envs, setEnvs] = useState<Named[]>([]);
  const [form, setForm] = useState({ agent: "", environment_id: "", title: "" });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    Promise.all([api<Page<Named>>("/v1/agents?limit=100"), api<Page<Named>>("/v1/environments?limit=100")])
      .then(([a, e]) => {
        setAgents(a.data);
        setEnvs(e.data);
        setForm((f) => ({
          ...f,
          agent: f.agent || a.data[0]?.id || "",
          environment_id: f.environment_id || e.data[0]?.id || "",
        }));
      })
      .catch((e: unknown) => setError((e as Error).message));
  }, [open]);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        New session
      </button>
    );
  const create = () =>
    api<{ id: string }>("/v1/sessions", {
      method: "POST",
      body: {
        agent: form.agent,
        environment_id: form.environment_id,
        ...(form.title && { title: form.title }),
      },
    })
      .then((s) => (location.hash = `#/sessions/${s.id}`))
      .catch((e: unknown) => setError((e as Error).message));
  return (
    <form
      className="new-session"
      onSubmit={(e) => {
        e.preventDefault();
        void create();
      }}
    >
      <label>
        Agent{" "}
        <select value={form.agent} onChange={(e) => setForm({ ...form, agent: e.target.value })}>
          {agents.map((a) => (
            <option key={a.id} value={a.id}>
              {a.name} ({a.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Environment{" "}
        <select
          value={form.environment_id}
          onChange={(e) => setForm({ ...form, environment_id: e.target.value })}
        >
          {envs.map((v) => (
            <option key={v.id} value={v.id}>
              {v.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Title <input value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
      </label>
      <button type="submit" disabled={!form.agent || !form.environment_id}>
        Create
      </button>
      <button type="button" className="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error && <span className="error-text">{error}</span>}
    </form>
  );
}
