import { Counter, Gauge, Histogram } from "prom-client";
import { registry } from "./registry.js";

export type { Counter, Gauge, Histogram };

/** Latency buckets in seconds, from a local RPC (1 ms) to a long tool run or a slow model (2 min). */
export const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

interface Definition<L extends string> {
  name: string;
  help: string;
  /** Every label must take few values (a subject template, an outcome): never an id, a URL or a secret. */
  labelNames?: readonly L[];
}

/** The metric of that name if this process defined it already (a module loaded twice in a test). */
function existing<M>(name: string): M | undefined {
  return registry.getSingleMetric(name) as M | undefined;
}

export function counter<L extends string = never>(def: Definition<L>): Counter<L> {
  return (
    existing<Counter<L>>(def.name) ??
    new Counter<L>({ ...def, labelNames: def.labelNames ?? [], registers: [registry] })
  );
}

/** A gauge; with `collect`, its value is read when scraped (no cost between scrapes). */
export function gauge<L extends string = never>(
  def: Definition<L> & { collect?: (this: Gauge<L>) => void | Promise<void> },
): Gauge<L> {
  return (
    existing<Gauge<L>>(def.name) ??
    new Gauge<L>({ ...def, labelNames: def.labelNames ?? [], registers: [registry] })
  );
}

export function histogram<L extends string = never>(
  def: Definition<L> & { buckets?: number[] },
): Histogram<L> {
  return (
    existing<Histogram<L>>(def.name) ??
    new Histogram<L>({
      ...def,
      labelNames: def.labelNames ?? [],
      buckets: def.buckets ?? SECONDS_BUCKETS,
      registers: [registry],
    })
  );
}

/** Seconds since `startMs` (a `performance.now()` reading), for a histogram of durations. */
export function secondsSince(startMs: number): number {
  return (performance.now() - startMs) / 1000;
}

/** `value` if it is one of `known`, else `other`: keeps a label's values few whatever the input. */
export function oneOf<const K extends string>(
  value: string,
  known: readonly K[],
  other = "other",
): K | string {
  return (known as readonly string[]).includes(value) ? value : other;
}
