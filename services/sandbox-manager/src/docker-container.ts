import type Docker from "dockerode";
import { SESSION_OUTPUTS_DIR, TOOL_RESULT_MAX_BYTES } from "@corral/protocol";
import { SANDBOX_CA_BUNDLE } from "./ca-bundle.js";
import { createWorkspaceVolume, type VolumeConfig } from "./docker-volume.js";
import { createWorkspaceDir, workspaceDir } from "./workspace-dir.js";
import { LABELS } from "./labels.js";
import type { ContainerSpec } from "./sandbox-runtime.js";

export interface ContainerConfig {
  network: string;
  hostId: string;
  executorPath: string;
  extraLabels?: Record<string, string> | undefined;
  /** The size of new workspace volumes (null: unbounded). */
  diskMb?: number | null | undefined;
  /** Where sized workspaces keep their ext4 images. */
  imageDir?: string | undefined;
  /** Workspaces as directories under this root (shared storage) instead of Docker volumes. */
  workspaceRoot?: string | null | undefined;
}

const EXECUTOR_IN_SANDBOX = "/opt/corral/corral_exec.py";

function mounts(spec: ContainerSpec, config: ContainerConfig): Docker.MountSettings[] {
  const out: Docker.MountSettings[] = [
    config.workspaceRoot
      ? { Type: "bind", Source: workspaceDir(config.workspaceRoot, spec.volume), Target: "/workspace" }
      : { Type: "volume", Source: spec.volume, Target: "/workspace" },
  ];
  if (spec.executor)
    out.push({ Type: "bind", Source: config.executorPath, Target: EXECUTOR_IN_SANDBOX, ReadOnly: true });
  if (spec.caBundle)
    out.push({ Type: "bind", Source: spec.caBundle, Target: SANDBOX_CA_BUNDLE, ReadOnly: true });
  return out;
}

function labels(spec: ContainerSpec, config: ContainerConfig): Record<string, string> {
  return {
    ...config.extraLabels,
    [LABELS.sandbox]: "1",
    [LABELS.host]: config.hostId,
    [LABELS.sandboxId]: spec.sandboxId,
    [LABELS.executor]: spec.executor ? "1" : "0",
    [LABELS.volume]: spec.volume,
    [LABELS.egress]: spec.caBundle ? "1" : "0",
    [LABELS.outputs]: "1",
    ...(spec.sessionId ? { [LABELS.session]: spec.sessionId } : { [LABELS.pool]: "1" }),
  };
}

/** The hardened container: no capabilities, no new privileges, a non-root user, a read-only root, limits. */
export function containerOptions(
  spec: ContainerSpec,
  config: ContainerConfig,
): Docker.ContainerCreateOptions {
  const memory = spec.resources.memory_mb * 1024 * 1024;
  return {
    Image: spec.image,
    Cmd: spec.executor ? ["python3", "-u", EXECUTOR_IN_SANDBOX] : ["sleep", "infinity"],
    User: "1000:1000",
    WorkingDir: "/workspace",
    Env: [
      ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      `CORRAL_RESULT_MAX_BYTES=${TOOL_RESULT_MAX_BYTES}`,
    ],
    OpenStdin: spec.executor,
    StdinOnce: false,
    AttachStdin: spec.executor,
    AttachStdout: spec.executor,
    AttachStderr: spec.executor,
    Tty: false,
    Labels: labels(spec, config),
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
      Tmpfs: {
        "/tmp": `rw,exec,nosuid,nodev,size=${spec.resources.tmpfs_mb}m`,
        // Root's: mounted files (read-only to the sandbox user) and memory stores.
        "/mnt": `rw,noexec,nosuid,nodev,size=${spec.resources.tmpfs_mb}m,mode=755`,
        // What the agent leaves for the client: writable by the sandbox user from the start, with no exec.
        [SESSION_OUTPUTS_DIR]: `rw,noexec,nosuid,nodev,size=${spec.resources.tmpfs_mb}m,mode=777`,
      },
      Mounts: mounts(spec, config),
    },
  };
}

export const volumeConfig = (config: ContainerConfig, diskMb: number | null = null): VolumeConfig => ({
  diskMb: diskMb ?? config.diskMb ?? null,
  imageDir: config.imageDir ?? "/var/lib/corral/workspaces",
  labels: { ...config.extraLabels, [LABELS.sandbox]: "1", [LABELS.host]: config.hostId },
});

export async function createContainer(
  docker: Docker,
  spec: ContainerSpec,
  config: ContainerConfig,
): Promise<string> {
  // Made explicitly (Docker would make it implicitly) so that it carries Corral's labels.
  if (config.workspaceRoot) await createWorkspaceDir(config.workspaceRoot, spec.volume);
  else await createWorkspaceVolume(docker, spec.volume, volumeConfig(config, spec.resources.disk_mb));
  const container = await docker.createContainer(containerOptions(spec, config));
  return container.id;
}
