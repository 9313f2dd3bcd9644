import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { SUBJECTS } from "@corral/protocol";
import { registry } from "@corral/metrics";
import type { Bus } from "./connect.js";

/** The services that answer status pings (a CLI tool or a test client connecting does not). */
export const STATUS_SERVICES = ["gateway", "session-store", "harness", "sandbox-manager", "credential-proxy"];

/** One service connection's answer: who it is, in which process, and its process's figures. */
export const ServiceStatus = z.object({
  service: z.string().max(64),
  /** This connection (a replica, or one of several in a test's process). */
  instance: z.string().max(128),
  /** The process: figures are per process, so connections of one process report the same ones. */
  process: z.string().max(256),
  started_at: z.string().max(64),
  figures: z.record(z.string().max(64), z.number()),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;

const PROCESS = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** The registry's figures a status carries: name in the answer → metric and labels (present ones only). */
const FIGURES: Record<string, { metric: string; labels?: Record<string, string> }> = {
  sessions_running: { metric: "corral_harness_sessions_running" },
  wakes_pending: { metric: "corral_store_wakes_pending" },
  sandboxes_warm: { metric: "corral_sandbox_pool", labels: { state: "warm" } },
  sandboxes_starting: { metric: "corral_sandbox_pool", labels: { state: "starting" } },
  sandboxes_busy: { metric: "corral_sandbox_pool", labels: { state: "busy" } },
};

async function figures(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, { metric, labels = {} }] of Object.entries(FIGURES)) {
    const found = registry.getSingleMetric(metric);
    if (!found) continue;
    const { values } = await found.get();
    const wanted = values.filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
    if (wanted.length > 0) out[name] = wanted.reduce((total, v) => total + v.value, 0);
  }
  return out;
}

/** This process's buses that answer pings, the gateway's among them (they gather). */
const live = new Set<Bus>();

/** A service's bus answers status pings while it is open (called for every bus by `connectBus`). */
export function answerStatusPings(bus: Bus): void {
  if (!STATUS_SERVICES.includes(bus.name)) return;
  const base = {
    service: bus.name,
    instance: randomUUID(),
    process: PROCESS,
    started_at: new Date().toISOString(),
  };
  bus.nc.subscribe(SUBJECTS.statusPing, {
    callback: (error, msg) => {
      if (error) return;
      figures().then(
        (f) => msg.respond(JSON.stringify({ ...base, figures: f })),
        () => msg.respond(JSON.stringify({ ...base, figures: {} })),
      );
    },
  });
  live.add(bus);
  void bus.nc.closed().then(() => live.delete(bus));
}

/**
 * Asks every service process (through this process's gateway bus) for its status and collects the answers
 * that arrive within `windowMs` (at most `max`); answers that do not parse are left out.
 */
export async function gatherServiceStatus(options: {
  windowMs: number;
  max: number;
}): Promise<ServiceStatus[]> {
  const bus = [...live].find((b) => b.name === "gateway" && !b.nc.isClosed());
  if (!bus) throw new Error("no gateway connection in this process to ask from");
  const replies = await bus.nc.requestMany(SUBJECTS.statusPing, "", {
    strategy: "timer",
    maxWait: options.windowMs,
    maxMessages: options.max,
  });
  const out: ServiceStatus[] = [];
  for await (const msg of replies) {
    if (msg.data.length === 0) continue;
    try {
      const parsed = ServiceStatus.safeParse(JSON.parse(msg.string()));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // Not JSON: not a status (left out).
    }
  }
  return out;
}
