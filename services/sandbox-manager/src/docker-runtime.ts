import type Docker from "dockerode";
import type { Duplex } from "node:stream";
import { randomUUID } from "node:crypto";
import { createChannel, type ExecutorChannel } from "./channel.js";
import { createContainer, volumeConfig } from "./docker-container.js";
import { watchDeaths } from "./docker-deaths.js";
import { dockerExec } from "./docker-exec.js";
import { dockerRootExec } from "./docker-root-exec.js";
import { bridgeName, ensureNetwork, networkGateway } from "./docker-network.js";
import { pythonProbe } from "./docker-python.js";
import { removeWorkspaceVolume } from "./docker-volume.js";
import { removeWorkspaceDir } from "./workspace-dir.js";
import { isolateBridgeFromHost, releaseHostPorts } from "./firewall.js";
import { firewallOwner, releaseDeadOwners } from "./firewall-owner.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";

export interface DockerRuntimeConfig {
  network: string;
  /** Host ports sandboxes may reach (the egress proxy); everything else on the host is dropped. */
  allowedHostPorts?: number[];
  hostId: string;
  executorPath: string;
  extraLabels?: Record<string, string>;
  diskMb?: number | null;
  imageDir?: string;
  /** Workspaces as directories under this shared root instead of Docker volumes (`SANDBOX_WORKSPACE_ROOT`). */
  workspaceRoot?: string | null;
}

/** Docker errors that mean "already gone" are not failures of a removal. */
const ignoring =
  (...statusCodes: number[]) =>
  (error: { statusCode?: number }) => {
    if (error.statusCode === undefined || !statusCodes.includes(error.statusCode)) throw error;
  };

export function createDockerRuntime(docker: Docker, config: DockerRuntimeConfig): SandboxRuntime {
  // One firewall change per port, shared by every provision asking for it at once: a burst of provisions
  // would otherwise each run iptables, serialized by its lock (seconds each at 40 at a time).
  const allowedPorts = new Map<number, Promise<void>>(
    (config.allowedHostPorts ?? []).map((port) => [port, Promise.resolve()]),
  );
  let gateway: Promise<string> | undefined;
  // This manager's mark on the firewall rules it adds (a comment), so it removes exactly its own.
  const owner = firewallOwner(config.hostId, randomUUID());
  const opened = new Set<number>();
  return {
    async ensureNetwork() {
      await ensureNetwork(docker, config.network, config.allowedHostPorts ?? []);
      // Rules of managers that died without their stop go before this one adds its own.
      await releaseDeadOwners(bridgeName(config.network));
    },
    create: (spec) => createContainer(docker, spec, config),
    start: async (id) => void (await docker.getContainer(id).start()),
    attach: (id) => attach(docker, id),
    exec: (id, cmd, stdin, timeoutMs) => dockerExec(docker, id, cmd, stdin, timeoutMs),
    rootExec: (id, cmd, io) => dockerRootExec(docker, id, cmd, io),
    remove: (id) => docker.getContainer(id).remove({ force: true }).catch(ignoring(404, 409)),
    removeVolume: (volume) =>
      config.workspaceRoot
        ? removeWorkspaceDir(config.workspaceRoot, volume)
        : removeWorkspaceVolume(docker, volume, volumeConfig(config)),
    async list(labels) {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const containers = await docker.listContainers({ all: true, filters });
      return containers.map((c) => ({ id: c.Id, labels: c.Labels, running: c.State === "running" }));
    },
    hasPython: pythonProbe(docker),
    networkGateway() {
      gateway ??= networkGateway(docker, config.network);
      gateway.catch(() => (gateway = undefined));
      return gateway;
    },
    allowHostPort(port) {
      let allowed = allowedPorts.get(port);
      if (!allowed) {
        opened.add(port);
        allowed = isolateBridgeFromHost(bridgeName(config.network), [port], owner);
        allowed.catch(() => allowedPorts.delete(port));
        allowedPorts.set(port, allowed);
      }
      return allowed;
    },
    async closeHostPorts() {
      await Promise.allSettled(allowedPorts.values());
      await releaseHostPorts(bridgeName(config.network), [...opened], owner);
      for (const port of opened) allowedPorts.delete(port);
      opened.clear();
    },
    onDeath: (listener) => watchDeaths(docker, config.hostId, listener),
  };
}

async function attach(docker: Docker, containerId: string): Promise<ExecutorChannel> {
  const stream = (await docker
    .getContainer(containerId)
    .attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
  return createChannel(stream, (s, out, err) => docker.modem.demuxStream(s, out, err));
}
