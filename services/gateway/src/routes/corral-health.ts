import { z } from "zod";
import { CorralError, TIMEOUTS } from "@corral/protocol";
import { gatherServiceStatus, STATUS_SERVICES, type ServiceStatus } from "@corral/bus";
import { route } from "./route.js";

const Figure = z.number().nullable();

export const CorralHealth = z.object({
  type: z.literal("corral_health"),
  /** Each Corral service and how many replicas answered (0: none did within the window). */
  services: z.array(z.object({ service: z.string(), replicas: z.number().int() })),
  /** Runs in progress in the harnesses (leases held). */
  sessions_running: Figure,
  /** Wakes in the work queue not yet acknowledged by a harness. */
  wakes_pending: Figure,
  /** The sandbox-managers' pools: warm (ready to hand out), starting, busy (handed to sessions). */
  sandboxes: z.object({ warm: Figure, starting: Figure, busy: Figure }),
  gathered_at: z.string(),
});
export type CorralHealth = z.infer<typeof CorralHealth>;

/** A figure over processes (each process's registry counted once): summed, or the largest where all agree. */
function figure(byProcess: Map<string, Record<string, number>>, name: string, how: "sum" | "max") {
  const values = [...byProcess.values()].map((f) => f[name]).filter((v): v is number => v !== undefined);
  if (values.length === 0) return null;
  return how === "sum" ? values.reduce((a, b) => a + b, 0) : Math.max(...values);
}

/** The answers of every service connection, as replicas per service and deployment-wide figures. */
export function summarise(statuses: ServiceStatus[], now = new Date()): CorralHealth {
  const byProcess = new Map<string, Record<string, number>>();
  for (const s of statuses) if (!byProcess.has(s.process)) byProcess.set(s.process, s.figures);
  const replicas = (service: string) =>
    new Set(statuses.filter((s) => s.service === service).map((s) => s.instance)).size;
  return {
    type: "corral_health",
    services: STATUS_SERVICES.map((service) => ({ service, replicas: replicas(service) })),
    sessions_running: figure(byProcess, "sessions_running", "sum"),
    // Every store replica reads the same work queue: the same figure, counted once.
    wakes_pending: figure(byProcess, "wakes_pending", "max"),
    sandboxes: {
      warm: figure(byProcess, "sandboxes_warm", "sum"),
      starting: figure(byProcess, "sandboxes_starting", "sum"),
      busy: figure(byProcess, "sandboxes_busy", "sum"),
    },
    gathered_at: now.toISOString(),
  };
}

export const CORRAL_HEALTH_ROUTES = [
  route({
    method: "GET",
    path: "/v1/corral/health",
    operationId: "corral.health",
    summary:
      "Corral extension: services and their replicas, sessions running, wakes pending and the sandbox pool, " +
      "gathered from every service over NATS (deployment-wide figures; no records or ids)",
    tag: "corral",
    query: z.strictObject({}),
    response: CorralHealth,
    handler: async () => {
      try {
        return summarise(await gatherServiceStatus({ windowMs: TIMEOUTS.statusGatherMs, max: 1000 }));
      } catch (error) {
        throw new CorralError("UNAVAILABLE", `health: ${(error as Error).message}`);
      }
    },
  }),
];
