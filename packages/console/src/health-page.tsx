import { useEffect, useState } from "react";
import { api, query, type Page } from "./api.js";
import { PoolChart, type PoolSample } from "./pool-chart.js";
import { usePoll } from "./use-poll.js";

const STATUSES = ["running", "idle", "rescheduling", "terminated"] as const;
const EVERY_MS = 5000;
/** The pool is sampled this often while the page is open, and this many samples are kept (10 minutes). */
const POOL_EVERY_MS = 2000;
const POOL_SAMPLES = 300;

/** `GET /v1/corral/health` (a Corral extension): the services' own answers, gathered by the gateway. */
interface CorralHealth {
  services: { service: string; replicas: number }[];
  sessions_running: number | null;
  wakes_pending: number | null;
  sandboxes: { warm: number | null; starting: number | null; busy: number | null };
  gathered_at: string;
}

const counted = (page: Page<unknown>) => `${page.data.length}${page.next_page ? "+" : ""}`;
const count = async (path: string, signal: AbortSignal) =>
  counted(await api<Page<unknown>>(`${path}${path.includes("?") ? "&" : "?"}limit=1000`, { signal }));

/** Sessions by status (each counted up to 1000, "1000+" past that): the store's view, for this key's workspace. */
async function storeCounts(signal: AbortSignal) {
  return Promise.all(
    STATUSES.map(
      async (s) => [`sessions ${s}`, await count(`/v1/sessions${query({ statuses: [s] })}`, signal)] as const,
    ),
  );
}

const shown = (n: number | null | undefined) => (n === null || n === undefined ? "—" : String(n));

/** The health figures, polled; each answer also adds a sample to the pool's plot. */
function useHealth() {
  const health = usePoll((signal) => api<CorralHealth>("/v1/corral/health", { signal }), POOL_EVERY_MS, []);
  const [samples, setSamples] = useState<PoolSample[]>([]);
  const value = health.value;
  useEffect(() => {
    if (!value) return;
    const sample = {
      at: Date.parse(value.gathered_at),
      warm: value.sandboxes.warm ?? 0,
      busy: value.sandboxes.busy ?? 0,
    };
    setSamples((all) => [...all, sample].slice(-POOL_SAMPLES));
  }, [value]);
  return { ...health, samples };
}

function Services({ health }: { health: CorralHealth }) {
  return (
    <table className="services" aria-label="services">
      <thead>
        <tr>
          <th scope="col">service</th>
          <th scope="col">replicas</th>
        </tr>
      </thead>
      <tbody>
        {health.services.map((s) => (
          <tr key={s.service} data-service={s.service}>
            <th scope="row">{s.service}</th>
            <td>
              <span className={`status ${s.replicas > 0 ? "idle" : "terminated"}`}>
                {s.replicas > 0 ? `${s.replicas} up` : "none answering"}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Services and replicas, sessions running, wakes pending, the sandbox pool (and its plot), the store's counts. */
export function HealthPage() {
  const health = useHealth();
  const store = usePoll(storeCounts, EVERY_MS, []);
  const h = health.value;
  return (
    <section>
      <h1>Health</h1>
      {health.error && <p className="error-text">{health.error}</p>}
      {h && <Services health={h} />}
      <dl className="facts wide" aria-label="figures">
        <dt title="runs the harnesses hold a lease for now">runs in progress</dt>
        <dd data-figure="sessions_running">{shown(h?.sessions_running)}</dd>
        <dt>wakes pending</dt>
        <dd data-figure="wakes_pending">{shown(h?.wakes_pending)}</dd>
        <dt>sandboxes warm</dt>
        <dd data-figure="sandboxes_warm">{shown(h?.sandboxes.warm)}</dd>
        <dt>sandboxes busy</dt>
        <dd data-figure="sandboxes_busy">{shown(h?.sandboxes.busy)}</dd>
        <dt>sandboxes starting</dt>
        <dd data-figure="sandboxes_starting">{shown(h?.sandboxes.starting)}</dd>
        {store.value?.map(([name, n]) => (
          <div key={name} className="pair">
            <dt>{name}</dt>
            <dd>{n}</dd>
          </div>
        ))}
      </dl>
      <PoolChart samples={health.samples} />
      <p className="muted">
        Services, replicas, runs, wakes and the pool are each service&apos;s own answer to a status ping
        (gathered by the gateway at <code>/v1/corral/health</code>); sessions by status are this
        workspace&apos;s, from the store.
      </p>
    </section>
  );
}
