import { SERVICES } from "./up.js";

type Service = (typeof SERVICES)[number];

/** `corral up`'s first health port when `CORRAL_HEALTH_PORT_BASE` is unset; the services take it and the next four. */
export const DEFAULT_HEALTH_PORT_BASE = 9470;

/**
 * `CORRAL_HEALTH_PORT_BASE`: unset gives the default, `off` gives no health servers, anything else must
 * be a port with room for every service above it.
 */
export function healthPortBaseFrom(value: string | undefined): number | null {
  if (value === undefined || value === "") return DEFAULT_HEALTH_PORT_BASE;
  if (value === "off") return null;
  const base = Number(value);
  if (!Number.isInteger(base) || base < 1 || base + SERVICES.length - 1 > 65535)
    throw new Error(`CORRAL_HEALTH_PORT_BASE must be a port (or "off"), not ${JSON.stringify(value)}`);
  return base;
}

/** Each service's health port (`/healthz`, `/readyz`, `/metrics`): base, base + 1, … in start order. */
export function healthPorts(base: number | null): Partial<Record<Service, number>> {
  if (base === null) return {};
  return Object.fromEntries(SERVICES.map((service, i) => [service, base + i]));
}

/** The banner's lines naming every metrics endpoint (none when the health servers are off). */
export function metricsLines(ports: Partial<Record<Service, number>>): string[] {
  const endpoints = SERVICES.flatMap((s) => (ports[s] ? [`${s} http://127.0.0.1:${ports[s]}/metrics`] : []));
  if (endpoints.length === 0) return ["  metrics:   off (CORRAL_HEALTH_PORT_BASE=off)"];
  return endpoints.map((endpoint, i) => `${i === 0 ? "  metrics:   " : "             "}${endpoint}`);
}
