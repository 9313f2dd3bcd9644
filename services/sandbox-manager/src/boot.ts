import type { RepositoryClone } from "@corral/protocol";
import type { ExecutorChannel } from "./channel.js";
import type { ContainerSpec, SandboxRuntime } from "./sandbox-runtime.js";
import { withTimeout } from "./with-timeout.js";

/** How a sandbox reaches out: the egress proxy's environment, its CA bundle, the session's placeholders. */
export interface Egress {
  placeholders: Record<string, string>;
  env: Record<string, string>;
  caBundle: string;
  /** The session's repositories, cloned once the sandbox is up (repo-clone.ts). */
  repositories?: RepositoryClone[] | undefined;
}

export interface Booted {
  containerId: string;
  channel: ExecutorChannel | null;
}

const EXECUTOR_START_MS = 15_000;

/** Creates and starts a container with its egress (none: no network) and waits for its executor. */
export async function bootContainer(
  runtime: SandboxRuntime,
  spec: ContainerSpec,
  egress: Egress | null,
): Promise<Booted> {
  const withEgress = egress
    ? { ...spec, env: { ...egress.env, ...spec.env }, caBundle: egress.caBundle }
    : spec;
  const containerId = await runtime.create(withEgress);
  try {
    const channel = spec.executor ? await runtime.attach(containerId) : null;
    await runtime.start(containerId);
    if (channel) await withTimeout(channel.ready, EXECUTOR_START_MS, "the sandbox's executor did not start");
    return { containerId, channel };
  } catch (error) {
    await runtime.remove(containerId);
    throw error;
  }
}
