import { useMemo } from "react";
import type { LogEvent, Usage } from "./types.js";

interface ModelRequest {
  seq: number;
  tokens: number;
  ms: number;
  error: boolean;
}

/** Each finished model request in the loaded events: its tokens (in + out) and how long it took. */
export function modelRequests(events: LogEvent[]): ModelRequest[] {
  const started = new Map<string, number>();
  const out: ModelRequest[] = [];
  for (const e of events) {
    if (e.type === "span.model_request_start") started.set(e.id, Date.parse(e.processed_at));
    if (e.type !== "span.model_request_end") continue;
    const usage = e.model_usage as Usage | undefined;
    const from = started.get(String(e.model_request_start_id));
    out.push({
      seq: e.seq,
      tokens: (usage?.input_tokens ?? 0) + (usage?.output_tokens ?? 0),
      ms: from === undefined ? 0 : Date.parse(e.processed_at) - from,
      error: e.is_error === true,
    });
  }
  return out.slice(-60);
}

const W = 8;
const H = 48;

function Bars({
  values,
  label,
  unit,
  bad,
}: {
  values: number[];
  label: string;
  unit: string;
  bad: boolean[];
}) {
  const max = Math.max(1, ...values);
  return (
    <figure className="bars">
      <figcaption>
        {label} (max {max.toLocaleString()} {unit})
      </figcaption>
      <svg width={values.length * W} height={H} role="img" aria-label={`${label} per model request`}>
        {values.map((v, i) => {
          const h = Math.max(1, Math.round((v / max) * (H - 2)));
          return (
            <rect key={i} x={i * W} y={H - h} width={W - 2} height={h} className={bad[i] ? "bar bad" : "bar"}>
              <title>{`${v.toLocaleString()} ${unit}`}</title>
            </rect>
          );
        })}
      </svg>
    </figure>
  );
}

/** Tokens and time of the last 60 model requests in view, as bars (folded until opened). */
export function RequestChart({ events }: { events: LogEvent[] }) {
  const requests = useMemo(() => modelRequests(events), [events]);
  if (requests.length === 0) return null;
  const bad = requests.map((r) => r.error);
  return (
    <details className="chart">
      <summary>Model requests: {requests.length} in view</summary>
      <div className="charts">
        <Bars values={requests.map((r) => r.tokens)} label="tokens" unit="tokens" bad={bad} />
        <Bars values={requests.map((r) => r.ms)} label="time" unit="ms" bad={bad} />
      </div>
    </details>
  );
}
