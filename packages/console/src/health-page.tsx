import { api, query, type Page } from "./api.js";
import { usePoll } from "./use-poll.js";

const STATUSES = ["running", "idle", "rescheduling", "terminated"] as const;
const EVERY_MS = 5000;

const counted = (page: Page<unknown>) => `${page.data.length}${page.next_page ? "+" : ""}`;
const count = async (path: string, signal: AbortSignal) =>
  counted(await api<Page<unknown>>(`${path}${path.includes("?") ? "&" : "?"}limit=1000`, { signal }));

async function ping(signal: AbortSignal) {
  const started = performance.now();
  const ok = await fetch("/healthz", { signal }).then(
    (r) => r.ok,
    () => false,
  );
  return { ok, ms: Math.round(performance.now() - started) };
}

/** Sessions by status (each counted up to 1000, "1000+" past that), agents and environments: the store's view. */
async function storeCounts(signal: AbortSignal) {
  const rows = await Promise.all([
    ...STATUSES.map(
      async (s) => [`sessions ${s}`, await count(`/v1/sessions${query({ statuses: [s] })}`, signal)] as const,
    ),
    (async () => ["agents", await count("/v1/agents", signal)] as const)(),
    (async () => ["environments", await count("/v1/environments", signal)] as const)(),
  ]);
  return rows;
}

function Up({ state, error }: { state: "pending" | "up" | "down"; error?: string | null }) {
  if (state === "pending") return <span className="muted">checking…</span>;
  return (
    <span className={`status ${state === "up" ? "idle" : "terminated"}`} title={error ?? undefined}>
      {state === "up" ? "answering" : "not answering"}
    </span>
  );
}

const stateOf = (poll: { value: unknown; error: string | null }) =>
  poll.error ? "down" : poll.value === null ? "pending" : "up";

/** What the public API can tell: the gateway answers, the store answers (its lists), the vault service answers. */
export function HealthPage() {
  const gateway = usePoll(ping, EVERY_MS, []);
  const store = usePoll(storeCounts, EVERY_MS, []);
  const vaults = usePoll((signal) => count("/v1/vaults", signal), EVERY_MS, []);
  return (
    <section>
      <h1>Health</h1>
      <dl className="facts wide">
        <dt>gateway</dt>
        <dd>
          <Up state={gateway.value ? (gateway.value.ok ? "up" : "down") : "pending"} />{" "}
          {gateway.value && `(${gateway.value.ms} ms)`}
        </dd>
        <dt>session-store</dt>
        <dd>
          <Up state={stateOf(store)} error={store.error} />
        </dd>
        <dt>credential-proxy</dt>
        <dd>
          <Up state={stateOf(vaults)} error={vaults.error} />
        </dd>
        {store.value?.map(([name, n]) => (
          <div key={name} className="pair">
            <dt>{name}</dt>
            <dd>{n}</dd>
          </div>
        ))}
        <dt>vaults</dt>
        <dd>{vaults.value ?? "—"}</dd>
      </dl>
      <p className="muted">
        Replicas, wakes pending and the sandbox pool are not in the public API; each service&apos;s health
        port (/metrics) serves them.
      </p>
    </section>
  );
}
