import { SUBJECTS } from "@corral/protocol";
import type { Context } from "@corral/tracing";
import { z } from "zod";
import type { Bus } from "./connect.js";
import type { Unsubscribe } from "./live.js";
import { traceContextOf, traceOptions } from "./trace-context.js";

const ExecTrace = z.object({ sandbox_id: z.string().max(64), running: z.boolean() });

/**
 * Tells the host's credential-proxy that a sandbox runs a tool in the current trace (`running`), or has
 * stopped. A sandbox's own HTTP requests carry no trace context; this lets its egress join the trace.
 * Sends nothing while no trace is active (tracing off costs nothing).
 */
export function announceExecTrace(bus: Bus, hostId: string, sandboxId: string, running: boolean): void {
  const options = traceOptions();
  if (!options.headers) return;
  bus.nc.publish(SUBJECTS.execTrace(hostId), JSON.stringify({ sandbox_id: sandboxId, running }), options);
}

/** Calls `onTrace` with each sandbox's trace while it runs a tool, and `null` once it stops. */
export function followExecTraces(
  bus: Bus,
  hostId: string,
  onTrace: (sandboxId: string, parent: Context | null) => void,
): Unsubscribe {
  const sub = bus.nc.subscribe(SUBJECTS.execTrace(hostId), {
    callback: (err, msg) => {
      if (err) return;
      let parsed;
      try {
        parsed = ExecTrace.safeParse(msg.json());
      } catch {
        return;
      }
      if (!parsed.success) return;
      onTrace(parsed.data.sandbox_id, parsed.data.running ? traceContextOf(msg) : null);
    },
  });
  return () => sub.unsubscribe();
}
