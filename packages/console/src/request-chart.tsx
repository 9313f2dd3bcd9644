import { useMemo } from "react";
import { turnsOf } from "./turns.js";
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
  per,
}: {
  values: number[];
  label: string;
  unit: string;
  bad: boolean[];
  per: string;
}) {
  const max = Math.max(1, ...values);
  return (
    <figure className="bars">
      <figcaption>
        {label} per {per} (max {max.toLocaleString()} {unit})
      </figcaption>
      <svg width={values.length * W} height={H} role="img" aria-label={`${label} per ${per}`}>
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

/** Tokens and time of the last 60 model requests and turns in view, as bars (folded until opened). */
export function RequestChart({ events }: { events: LogEvent[] }) {
  const requests = useMemo(() => modelRequests(events), [events]);
  const turns = useMemo(() => turnsOf(events), [events]);
  if (requests.length === 0 && turns.length === 0) return null;
  const bad = requests.map((r) => r.error);
  // A turn still running is drawn like the rest: its bar grows as events arrive.
  const open = turns.map(() => false);
  return (
    <details className="chart">
      <summary>
        Model requests: {requests.length} in view · turns: {turns.length}
      </summary>
      <div className="charts">
        <Bars
          values={requests.map((r) => r.tokens)}
          label="tokens"
          unit="tokens"
          bad={bad}
          per="model request"
        />
        <Bars values={requests.map((r) => r.ms)} label="time" unit="ms" bad={bad} per="model request" />
        <Bars values={turns.map((t) => t.tokens)} label="tokens" unit="tokens" bad={open} per="turn" />
        <Bars values={turns.map((t) => t.ms)} label="turn time" unit="ms" bad={open} per="turn" />
      </div>
    </details>
  );
}
