import { collectDefaultMetrics, Registry } from "prom-client";

/** The process's one registry: every Corral metric lives here, and `/metrics` renders it. */
export const registry = new Registry();

let serviceName: string | null = null;

/**
 * Called once by a service's `main.ts`: every series gets a `service` label, and Node.js's own figures
 * (event loop lag, heap, GC, CPU) are collected under their usual names. A second call changes nothing.
 */
export function collectServiceMetrics(service: string): void {
  if (serviceName !== null) return;
  serviceName = service;
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
}

/** The text a Prometheus scrape reads, and its content type. Gauges with a `collect` are read now. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
