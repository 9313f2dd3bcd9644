import { hostname } from "node:os";
import { fileURLToPath } from "node:url";
import { isAbsolute, join } from "node:path";

export interface ManagerConfig {
  /** This Docker host's manager; its containers carry it as a label. */
  hostId: string;
  image: string;
  network: string;
  /** The warm pool's floor (`SANDBOX_WARM_POOL`): ready containers kept while no burst asks for more. */
  warmPool: number;
  /** The most the warm pool grows to (`SANDBOX_WARM_MAX`) following bursts of provisions. */
  warmMax: number;
  /** How many warm containers start at once (`SANDBOX_WARM_PARALLEL`); one while provisions are under way. */
  warmParallel: number;
  /** How long a burst of provisions keeps the pool sized for it (`SANDBOX_WARM_IDLE_MS`) before it shrinks. */
  warmIdleMs: number;
  idleReapMs: number;
  memoryMb: number;
  cpus: number;
  pids: number;
  tmpfsMb: number;
  executorPath: string;
  /** Extra labels on every container (tests use them to clean up). */
  extraLabels: Record<string, string>;
  /** Files the manager writes for its sandboxes (the CA bundle they trust). */
  stateDir: string;
  /**
   * How long a sandbox's egress config is retried while the credential-proxy does not answer (once one
   * has answered in this deployment; before that, a sandbox without an answer simply has no network).
   */
  egressWaitMs: number;
  /**
   * On a clean stop, remove this manager's containers (their workspace volumes stay, and a session gets a
   * new sandbox on its volume later). Off by default so a rolling restart re-adopts them; `corral up` turns
   * it on so Ctrl-C leaves no container behind. A crash never removes anything.
   */
  removeOnStop: boolean;
  /**
   * The size of each new workspace volume in MB (`SANDBOX_DISK_MB`), or null for none: an ext4 image on a
   * loop device (the manager must run as root), kept under `<stateDir>/workspaces`.
   */
  diskMb: number | null;
  /**
   * At most this many sandboxes on this host (`SANDBOX_MAX`): ready ones and provisions under way, the warm
   * pool aside. A provision that reaches a full manager is placed on another host with room.
   */
  maxSandboxes: number;
  /**
   * Workspaces as directories under this root (`SANDBOX_WORKSPACE_ROOT`), bind-mounted: on storage every
   * host mounts at the same path (NFS), an owner moved off a lost host keeps its files. Null: Docker volumes.
   */
  workspaceRoot: string | null;
  /**
   * A host whose manager has not written its heartbeat for this long is lost with its sandboxes
   * (`SANDBOX_HOST_LOST_MS`): they answer as lost, and their owners are placed on another host.
   */
  hostLostMs: number;
}

const num = (value: string | undefined, fallback: number) =>
  value === undefined || value === "" ? fallback : Number(value);

function workspaceRoot(env: NodeJS.ProcessEnv): string | null {
  const root = env.SANDBOX_WORKSPACE_ROOT;
  if (!root) return null;
  if (!isAbsolute(root)) throw new Error("SANDBOX_WORKSPACE_ROOT must be an absolute path");
  if (env.SANDBOX_DISK_MB)
    throw new Error("SANDBOX_DISK_MB sizes volumes; it cannot size SANDBOX_WORKSPACE_ROOT");
  return root;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
}

function warmPool(env: NodeJS.ProcessEnv) {
  const floor = num(env.SANDBOX_WARM_POOL, 2);
  if (!Number.isInteger(floor) || floor < 0) throw new Error("SANDBOX_WARM_POOL must be an integer ≥ 0");
  // SANDBOX_WARM_POOL=0 turns the pool off unless SANDBOX_WARM_MAX asks for one that follows demand.
  const warmMax = num(env.SANDBOX_WARM_MAX, floor === 0 ? 0 : Math.max(floor, 40));
  if (!Number.isInteger(warmMax) || warmMax < floor)
    throw new Error("SANDBOX_WARM_MAX must be an integer ≥ SANDBOX_WARM_POOL");
  return {
    warmPool: floor,
    warmMax,
    warmParallel: positive("SANDBOX_WARM_PARALLEL", num(env.SANDBOX_WARM_PARALLEL, 4)),
    warmIdleMs: positive("SANDBOX_WARM_IDLE_MS", num(env.SANDBOX_WARM_IDLE_MS, 120_000)),
  };
}

export const EXECUTOR_PATH = fileURLToPath(new URL("../executor/corral_exec.py", import.meta.url));

export function managerConfigFromEnv(env: NodeJS.ProcessEnv): ManagerConfig {
  return {
    hostId: env.CORRAL_HOST_ID || hostname(),
    image: env.SANDBOX_IMAGE ?? "corral-sandbox:1",
    network: env.SANDBOX_NETWORK ?? "corral-sandboxes",
    ...warmPool(env),
    idleReapMs: num(env.SANDBOX_IDLE_REAP_MS, 30 * 60_000),
    memoryMb: num(env.SANDBOX_MEMORY_MB, 512),
    cpus: num(env.SANDBOX_CPUS, 1),
    pids: num(env.SANDBOX_PIDS, 256),
    tmpfsMb: num(env.SANDBOX_TMPFS_MB, 256),
    executorPath: env.SANDBOX_EXECUTOR_PATH ?? EXECUTOR_PATH,
    extraLabels: env.SANDBOX_EXTRA_LABELS
      ? (JSON.parse(env.SANDBOX_EXTRA_LABELS) as Record<string, string>)
      : {},
    stateDir: env.SANDBOX_STATE_DIR ?? join(process.cwd(), ".corral", "sandbox-manager"),
    egressWaitMs: num(env.SANDBOX_EGRESS_WAIT_MS, 60_000),
    removeOnStop: env.SANDBOX_REMOVE_ON_STOP === "1",
    diskMb: env.SANDBOX_DISK_MB ? Number(env.SANDBOX_DISK_MB) : null,
    maxSandboxes: positive("SANDBOX_MAX", num(env.SANDBOX_MAX, 100)),
    workspaceRoot: workspaceRoot(env),
    hostLostMs: positive("SANDBOX_HOST_LOST_MS", num(env.SANDBOX_HOST_LOST_MS, 60_000)),
  };
}
