export { registry, collectServiceMetrics, renderMetrics } from "./registry.js";
export { counter, gauge, histogram, secondsSince, oneOf, SECONDS_BUCKETS } from "./instruments.js";
export type { Counter, Gauge, Histogram } from "./instruments.js";
export { parseMetrics, sumOf } from "./parse-metrics.js";
export type { Sample } from "./parse-metrics.js";
