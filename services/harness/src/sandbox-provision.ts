import { HostId, type EnvironmentRecord, type SandboxId, type SandboxSpec } from "@corral/protocol";
import { append, type Run } from "./run-context.js";
import type { ProvisionedSandbox } from "./sandbox-client.js";

/** What the environment asks of a sandbox; a self-hosted or absent environment asks nothing. */
export function sandboxSpec(environment: EnvironmentRecord | null): SandboxSpec {
  const config = environment?.config;
  if (!config || config.type === "self_hosted") return {};
  const spec: SandboxSpec = { networking: config.networking };
  if (config.type === "docker") {
    if (config.image) spec.image = config.image;
    if (config.resources)
      spec.resources = {
        memory_mb: config.resources.memory_mb,
        cpus: config.resources.cpus,
        pids: config.resources.pids,
        disk_mb: config.resources.disk_mb,
      };
  }
  return spec;
}

/** Starts a sandbox for this log, recorded as a span; null when none could be started. */
export async function provision(run: Run): Promise<SandboxId | null> {
  await append(run, [{ type: "span.sandbox_provision_start" }]);
  let sandbox: ProvisionedSandbox;
  try {
    const spec = sandboxSpec(await run.info.environment());
    sandbox = await run.deps.hands.provision(run.info.sessionId, spec, run.info.logId);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    run.log.warn({ err: error }, "sandbox provision failed");
    await append(run, [{ type: "span.sandbox_provision_end", is_error: true, error_message: message }]);
    return null;
  }
  // Outside the try: a failed append (the lease lost) is not a failed provision.
  // The manager's own host id; one the event cannot hold is left out rather than failing the span.
  const host = HostId.safeParse(sandbox.host).success ? { host: sandbox.host } : {};
  await append(run, [
    { type: "span.sandbox_provision_end", sandbox_id: sandbox.id, is_error: false, ...host },
  ]);
  return sandbox.id;
}

/** The sandbox this log holds, started now if it holds none (or lost the one it had). */
export async function ensureSandbox(run: Run): Promise<SandboxId | null> {
  const held = run.view.state.sandbox;
  return held && !held.lost ? held.id : provision(run);
}
