import type Docker from "dockerode";
import { createHash } from "node:crypto";
import type { Duplex } from "node:stream";
import type { SandboxResources } from "@corral/protocol";
import { createChannel, type ExecutorChannel } from "./channel.js";
import { isolateBridgeFromHost } from "./firewall.js";

/** Linux interface names are at most 15 characters, so the bridge is named by a hash of the network. */
export const bridgeName = (network: string) =>
  `csb-${createHash("sha256").update(network).digest("hex").slice(0, 10)}`;

export const LABELS = {
  sandbox: "corral.sandbox",
  host: "corral.host",
  sandboxId: "corral.sandbox_id",
  session: "corral.session",
  pool: "corral.pool",
  executor: "corral.executor",
  volume: "corral.volume",
} as const;

export interface ContainerSpec {
  sandboxId: string;
  sessionId: string | null;
  image: string;
  volume: string;
  resources: Required<Pick<SandboxResources, "memory_mb" | "cpus" | "pids" | "tmpfs_mb">>;
  env: Record<string, string>;
  /** Run the stdio executor (mounted read-only from the host); false for images without python3. */
  executor: boolean;
  /** A CA bundle (the system's plus the egress proxy's CA) mounted over the image's, read-only. */
  caBundle?: string | undefined;
}

export interface ContainerInfo {
  id: string;
  labels: Record<string, string>;
  running: boolean;
}

export interface DeathEvent {
  containerId: string;
  reason: string;
}

/** Everything the manager needs from a container engine; Docker is the one implementation. */
export interface SandboxRuntime {
  ensureNetwork(): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  start(containerId: string): Promise<void>;
  attach(containerId: string): Promise<ExecutorChannel>;
  exec(
    containerId: string,
    cmd: string[],
    stdin: string | null,
    timeoutMs: number,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  remove(containerId: string): Promise<void>;
  removeVolume(volume: string): Promise<void>;
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  hasPython(image: string): Promise<boolean>;
  /** The sandbox network's gateway address: where sandboxes reach the host (the egress proxy). */
  networkGateway(): Promise<string>;
  /** Lets sandboxes reach this host TCP port (the egress proxy); every other host port stays dropped. */
  allowHostPort(port: number): Promise<void>;
  onDeath(listener: (event: DeathEvent) => void): () => void;
}

export interface DockerRuntimeConfig {
  network: string;
  /** Host ports sandboxes may reach (the egress proxy); everything else on the host is dropped. */
  allowedHostPorts?: number[];
  hostId: string;
  executorPath: string;
  extraLabels?: Record<string, string>;
}

export function createDockerRuntime(docker: Docker, config: DockerRuntimeConfig): SandboxRuntime {
  const pythonByImage = new Map<string, boolean>();
  const allowedPorts = new Set<number>(config.allowedHostPorts ?? []);
  let gateway: Promise<string> | undefined;

  /** Internal (no route out), no traffic between sandboxes, and nothing from sandboxes to the host. */
  async function ensureNetwork(): Promise<void> {
    const existing = await docker.listNetworks({ filters: { name: [config.network] } });
    if (!existing.some((n) => n.Name === config.network)) {
      await docker
        .createNetwork({
          Name: config.network,
          Driver: "bridge",
          Internal: true,
          Labels: { [LABELS.sandbox]: "1" },
          Options: {
            "com.docker.network.bridge.name": bridgeName(config.network),
            "com.docker.network.bridge.enable_icc": "false",
          },
        })
        .catch((error: unknown) => {
          if (!String(error).includes("already exists")) throw error;
        });
    }
    await isolateBridgeFromHost(bridgeName(config.network), config.allowedHostPorts ?? []);
  }

  async function create(spec: ContainerSpec): Promise<string> {
    // Made explicitly (Docker would make it implicitly) so that it carries Corral's labels.
    await docker.createVolume({
      Name: spec.volume,
      Labels: { ...config.extraLabels, [LABELS.sandbox]: "1", [LABELS.host]: config.hostId },
    });
    const memory = spec.resources.memory_mb * 1024 * 1024;
    const mounts: Docker.MountSettings[] = [{ Type: "volume", Source: spec.volume, Target: "/workspace" }];
    if (spec.executor)
      mounts.push({
        Type: "bind",
        Source: config.executorPath,
        Target: "/opt/corral/corral_exec.py",
        ReadOnly: true,
      });
    if (spec.caBundle)
      mounts.push({
        Type: "bind",
        Source: spec.caBundle,
        Target: "/etc/ssl/certs/ca-certificates.crt",
        ReadOnly: true,
      });
    const container = await docker.createContainer({
      Image: spec.image,
      Cmd: spec.executor ? ["python3", "-u", "/opt/corral/corral_exec.py"] : ["sleep", "infinity"],
      User: "1000:1000",
      WorkingDir: "/workspace",
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      OpenStdin: spec.executor,
      StdinOnce: false,
      AttachStdin: spec.executor,
      AttachStdout: spec.executor,
      AttachStderr: spec.executor,
      Tty: false,
      Labels: {
        ...config.extraLabels,
        [LABELS.sandbox]: "1",
        [LABELS.host]: config.hostId,
        [LABELS.sandboxId]: spec.sandboxId,
        [LABELS.executor]: spec.executor ? "1" : "0",
        [LABELS.volume]: spec.volume,
        ...(spec.sessionId ? { [LABELS.session]: spec.sessionId } : { [LABELS.pool]: "1" }),
      },
      HostConfig: {
        NetworkMode: config.network,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        ReadonlyRootfs: true,
        Init: true,
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: Math.round(spec.resources.cpus * 1e9),
        PidsLimit: spec.resources.pids,
        Tmpfs: { "/tmp": `rw,exec,nosuid,nodev,size=${spec.resources.tmpfs_mb}m` },
        Mounts: mounts,
      },
    });
    return container.id;
  }

  async function attach(containerId: string): Promise<ExecutorChannel> {
    const stream = (await docker
      .getContainer(containerId)
      .attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as unknown as Duplex;
    return createChannel(stream, (s, out, err) => docker.modem.demuxStream(s, out, err));
  }

  async function exec(containerId: string, cmd: string[], stdin: string | null, timeoutMs: number) {
    const execution = await docker.getContainer(containerId).exec({
      Cmd: ["timeout", "-s", "KILL", `${Math.ceil(timeoutMs / 1000)}`, ...cmd],
      AttachStdin: stdin !== null,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      User: "1000:1000",
      WorkingDir: "/workspace",
    });
    const stream = (await execution.start({ hijack: true, stdin: stdin !== null })) as unknown as Duplex;
    let stdout = "";
    let stderr = "";
    const { PassThrough } = await import("node:stream");
    const out = new PassThrough();
    const err = new PassThrough();
    out.on("data", (d: Buffer) => (stdout += d.toString()));
    err.on("data", (d: Buffer) => (stderr += d.toString()));
    docker.modem.demuxStream(stream, out, err);
    if (stdin !== null) stream.end(stdin);
    await new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
    });
    let info = await execution.inspect();
    while (info.Running) info = await execution.inspect();
    return { code: info.ExitCode ?? -1, stdout, stderr };
  }

  return {
    ensureNetwork,
    create,
    start: async (id) => void (await docker.getContainer(id).start()),
    attach,
    exec,
    async remove(id) {
      await docker
        .getContainer(id)
        .remove({ force: true })
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
        });
    },
    async removeVolume(volume) {
      await docker
        .getVolume(volume)
        .remove({ force: true })
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 404) throw error;
        });
    },
    async list(labels) {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const containers = await docker.listContainers({ all: true, filters });
      return containers.map((c) => ({ id: c.Id, labels: c.Labels, running: c.State === "running" }));
    },
    async hasPython(image) {
      const known = pythonByImage.get(image);
      if (known !== undefined) return known;
      const inspected = await docker.getImage(image).inspect();
      // Corral's own image always has it; for others, look for a python3 on the usual paths.
      const yes =
        inspected.Config?.Labels?.["corral.image"] === "sandbox" || (await probePython(docker, image));
      pythonByImage.set(image, yes);
      return yes;
    },
    async networkGateway() {
      gateway ??= docker
        .getNetwork(config.network)
        .inspect()
        .then((n: { IPAM?: { Config?: { Gateway?: string }[] } }) => {
          const address = n.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
          if (!address) throw new Error(`network ${config.network} has no gateway address`);
          return address;
        });
      gateway.catch(() => (gateway = undefined));
      return gateway;
    },
    async allowHostPort(port) {
      if (allowedPorts.has(port)) return;
      await isolateBridgeFromHost(bridgeName(config.network), [port]);
      allowedPorts.add(port);
    },
    onDeath(listener) {
      return watchDeaths(docker, config.hostId, listener);
    },
  };
}

async function probePython(docker: Docker, image: string): Promise<boolean> {
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["python3", "-c", "print(1)"],
    HostConfig: { NetworkMode: "none", AutoRemove: false },
  });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    return result.StatusCode === 0;
  } catch {
    return false;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

function watchDeaths(docker: Docker, hostId: string, listener: (event: DeathEvent) => void): () => void {
  let stopped = false;
  let current: NodeJS.ReadableStream | null = null;
  const oom = new Set<string>();
  const run = async () => {
    while (!stopped) {
      try {
        const stream = await docker.getEvents({
          filters: {
            type: ["container"],
            event: ["die", "oom"],
            label: [`${LABELS.sandbox}=1`, `${LABELS.host}=${hostId}`],
          },
        });
        current = stream;
        let buffer = "";
        await new Promise<void>((resolve) => {
          stream.on("data", (chunk: Buffer) => {
            buffer += chunk.toString("utf8");
            let newline: number;
            // Docker sends NDJSON; one chunk may hold several events or half of one.
            while ((newline = buffer.indexOf("\n")) >= 0) {
              const line = buffer.slice(0, newline);
              buffer = buffer.slice(newline + 1);
              const event = parseEvent(line);
              if (!event) continue;
              if (event.action === "oom") oom.add(event.id);
              else
                listener({
                  containerId: event.id,
                  reason: oom.delete(event.id)
                    ? "the sandbox ran out of memory"
                    : `the sandbox exited (code ${event.exitCode})`,
                });
            }
          });
          stream.on("end", resolve);
          stream.on("error", () => resolve());
        });
      } catch {
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  };
  void run();
  return () => {
    stopped = true;
    (current as unknown as { destroy?: () => void } | null)?.destroy?.();
  };
}

function parseEvent(line: string): { id: string; action: string; exitCode: string } | null {
  try {
    const e = JSON.parse(line) as {
      id?: string;
      Action?: string;
      Actor?: { Attributes?: Record<string, string> };
    };
    if (!e.id || !e.Action) return null;
    return { id: e.id, action: e.Action, exitCode: e.Actor?.Attributes?.exitCode ?? "?" };
  } catch {
    return null;
  }
}
