import { randomBytes } from "node:crypto";
import type { SandboxResources } from "@corral/protocol";
import type { ManagerConfig } from "./config.js";
import type { ContainerSpec } from "./sandbox-runtime.js";

/** A sandbox's limits: what its environment asks for, the manager's defaults for the rest. */
export const containerResources = (
  config: ManagerConfig,
  asked: SandboxResources = {},
): ContainerSpec["resources"] => ({
  memory_mb: asked.memory_mb ?? config.memoryMb,
  cpus: asked.cpus ?? config.cpus,
  pids: asked.pids ?? config.pids,
  tmpfs_mb: asked.tmpfs_mb ?? config.tmpfsMb,
  disk_mb: asked.disk_mb ?? null,
});

/** A new workspace volume's name; it is claimed for its owner before any container mounts it. */
export const newVolumeName = () => `corral-ws-${randomBytes(8).toString("hex")}`;
