import type { SandboxId, SandboxResources, SessionId } from "@corral/protocol";
import type { ExecutorChannel } from "./channel.js";

export interface ContainerSpec {
  sandboxId: SandboxId;
  /** Null for a warm-pool container, which has no session yet. */
  sessionId: SessionId | null;
  image: string;
  volume: string;
  resources: Required<Pick<SandboxResources, "memory_mb" | "cpus" | "pids" | "tmpfs_mb">> & {
    /** The environment's workspace size; null: the host's (SANDBOX_DISK_MB). */
    disk_mb: number | null;
  };
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

export interface RootExecIo {
  stdin?: AsyncIterable<Uint8Array> | null;
  onStdout?: (chunk: Buffer) => void;
  timeoutMs: number;
  /** Run as the sandbox user instead: reading what it wrote never follows its symlinks with root's rights. */
  asSandboxUser?: boolean;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything the manager needs from a container engine; Docker is the one implementation. */
export interface SandboxRuntime {
  ensureNetwork(): Promise<void>;
  create(spec: ContainerSpec): Promise<string>;
  start(containerId: string): Promise<void>;
  attach(containerId: string): Promise<ExecutorChannel>;
  exec(containerId: string, cmd: string[], stdin: string | null, timeoutMs: number): Promise<ExecResult>;
  /** An exec as root (no capabilities): Corral's own placing of files; see docker-root-exec.ts. */
  rootExec?(containerId: string, cmd: string[], io: RootExecIo): Promise<ExecResult>;
  remove(containerId: string): Promise<void>;
  removeVolume(volume: string): Promise<void>;
  list(labels: Record<string, string>): Promise<ContainerInfo[]>;
  hasPython(image: string): Promise<boolean>;
  /** The sandbox network's gateway address: where sandboxes reach the host (the egress proxy). */
  networkGateway(): Promise<string>;
  /** Lets sandboxes reach this host TCP port (the egress proxy); every other host port stays dropped. */
  allowHostPort(port: number): Promise<void>;
  /** Takes back every port `allowHostPort` opened (when the manager stops). */
  closeHostPorts(): Promise<void>;
  onDeath(listener: (event: DeathEvent) => void): () => void;
}
