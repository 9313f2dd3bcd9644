/** A sample of the sandbox pool, taken each time the health page polls. */
export interface PoolSample {
  at: number;
  warm: number;
  busy: number;
}

const W = 360;
const H = 80;

const line = (samples: PoolSample[], pick: (s: PoolSample) => number, max: number) =>
  samples
    .map((s, i) => {
      const x = samples.length === 1 ? W : (i / (samples.length - 1)) * W;
      const y = H - 2 - (pick(s) / max) * (H - 4);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(" ");

/** Warm and busy sandboxes over the time the page has been open, as two lines. */
export function PoolChart({ samples }: { samples: PoolSample[] }) {
  if (samples.length === 0) return null;
  const max = Math.max(1, ...samples.map((s) => Math.max(s.warm, s.busy)));
  const seconds = Math.round(((samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0)) / 1000);
  return (
    <figure className="pool-chart">
      <figcaption>
        Sandbox pool, last {seconds} s (max {max}): <span className="key warm">warm</span>{" "}
        <span className="key busy">busy</span>
      </figcaption>
      <svg width={W} height={H} role="img" aria-label="sandbox pool over time">
        <polyline className="warm" fill="none" points={line(samples, (s) => s.warm, max)} />
        <polyline className="busy" fill="none" points={line(samples, (s) => s.busy, max)} />
      </svg>
    </figure>
  );
}
