import Docker from "dockerode";
import { randomBytes } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus, request, type Bus } from "@corral/bus";
import {
  SANDBOX_RPC,
  newId,
  sandboxSubject,
  type SandboxRecord,
  type SessionId,
  type ToolResult,
} from "@corral/protocol";
import { stopThenClose, testLogger, busConfigFor } from "@corral/testing";
import { EXECUTOR_PATH, type ManagerConfig } from "./config.js";
import { containerResources } from "./container-resources.js";
import { containerOptions } from "./docker-container.js";
import { LABELS } from "./labels.js";
import { createDockerRuntime } from "./docker-runtime.js";
import { removeWorkspaceVolume } from "./docker-volume.js";
import type { SandboxRuntime } from "./sandbox-runtime.js";
import { createSandboxManager, type SandboxManager } from "./sandbox-manager.js";

export const docker = new Docker();
/** Every container, volume and network a test run makes carries this label, so it can all be removed. */
export const RUN_LABEL = { "corral.test": `t${randomBytes(4).toString("hex")}` };

export function managerConfig(over: Partial<ManagerConfig> = {}): ManagerConfig {
  const config: ManagerConfig = {
    hostId: `host-${randomBytes(3).toString("hex")}`,
    image: "corral-sandbox:1",
    network: "corral-sandboxes-test",
    warmPool: 0,
    warmMax: 0,
    warmParallel: 4,
    warmIdleMs: 120_000,
    idleReapMs: 10 * 60_000,
    memoryMb: 256,
    cpus: 1,
    pids: 128,
    tmpfsMb: 64,
    executorPath: EXECUTOR_PATH,
    extraLabels: RUN_LABEL,
    stateDir: join(tmpdir(), "corral-sandbox-manager-test"),
    egressWaitMs: 60_000,
    removeOnStop: false,
    diskMb: null,
    maxSandboxes: 100,
    workspaceRoot: null,
    hostLostMs: 60_000,
    ...over,
  };
  // A fixed pool unless a test asks for one that follows demand.
  return { ...config, warmMax: over.warmMax ?? config.warmPool };
}

export type { SandboxRuntime } from "./sandbox-runtime.js";

/** A manager in this process; `wrap` may wrap its Docker runtime (a benchmark times each step). */
export async function startManager(
  natsUrl: string,
  over: Partial<ManagerConfig> = {},
  wrap: (runtime: SandboxRuntime) => SandboxRuntime = (runtime) => runtime,
): Promise<{
  manager: SandboxManager;
  runtime: SandboxRuntime;
  bus: Bus;
  config: ManagerConfig;
  close(): Promise<void>;
}> {
  const config = managerConfig(over);
  const bus = await connectBus(busConfigFor(natsUrl, "sandbox-manager"));
  const runtime = wrap(
    createDockerRuntime(docker, {
      network: config.network,
      hostId: config.hostId,
      executorPath: config.executorPath,
      extraLabels: config.extraLabels,
      diskMb: config.diskMb,
      imageDir: join(config.stateDir, "workspaces"),
      workspaceRoot: config.workspaceRoot,
    }),
  );
  const manager = createSandboxManager({ bus, runtime, logger: testLogger("sandbox-manager"), config });
  await manager.start();
  return { manager, runtime, bus, config, close: stopThenClose(manager, bus) };
}

/**
 * The hardened container a manager with `config` makes, for a baseline that runs `cmd` on `volume` without
 * the executor (benchmarks create it straight through dockerode).
 */
export function sandboxContainerOptions(
  config: ManagerConfig,
  volume: string,
  cmd: string[],
): Docker.ContainerCreateOptions {
  const spec = {
    sandboxId: newId("sandbox"),
    sessionId: null,
    image: config.image,
    volume,
    resources: containerResources(config),
    env: {},
    executor: false,
  };
  const options = containerOptions(spec, { ...config, extraLabels: config.extraLabels });
  return { ...options, Cmd: cmd, AttachStdout: true, AttachStderr: true };
}

/** The host's warm containers not handed out: pool-labelled, running, and none of `handedOut`. */
export async function idleWarmContainers(hostId: string, handedOut: ReadonlySet<string> = new Set()) {
  const label = [`${LABELS.pool}=1`, `${LABELS.host}=${hostId}`];
  const running = await docker.listContainers({ filters: { label, status: ["running"] } });
  return running.filter((c) => !handedOut.has(c.Id)).length;
}

export async function removeTestContainers(): Promise<void> {
  const label = Object.entries(RUN_LABEL).map(([k, v]) => `${k}=${v}`);
  const containers = await docker.listContainers({ all: true, filters: { label } });
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
  const { Volumes } = await docker.listVolumes({ filters: { label } });
  // Sized workspaces (SANDBOX_DISK_MB) also let go of their loop device and image.
  const sized = { diskMb: null, imageDir: join(managerConfig().stateDir, "workspaces"), labels: {} };
  await Promise.all(
    (Volumes ?? []).map((v) => removeWorkspaceVolume(docker, v.Name, sized).catch(() => undefined)),
  );
}

/** Runs one built-in tool in a sandbox through its owner's exec subject, with a fresh tool_use_id. */
export function runTool(
  bus: Bus,
  sandbox: Pick<SandboxRecord, "id">,
  name: string,
  input: Record<string, unknown>,
  options: { toolUseId?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return request(
    bus,
    SANDBOX_RPC.execute,
    {
      sandbox_id: sandbox.id,
      tool_use_id: options.toolUseId ?? `toolu_${randomBytes(8).toString("hex")}`,
      name,
      input,
    },
    { subject: sandboxSubject(sandbox.id, "exec"), timeoutMs: options.timeoutMs ?? 60_000 },
  );
}

/** Destroys the sandboxes with their workspaces, all at once. */
export async function destroySandboxes(bus: Bus, sandboxes: readonly Pick<SandboxRecord, "id">[]) {
  return Promise.all(
    sandboxes.map((s) =>
      request(
        bus,
        SANDBOX_RPC.destroy,
        { sandbox_id: s.id, remove_workspace: true },
        { subject: sandboxSubject(s.id, "destroy"), timeoutMs: 60_000 },
      ),
    ),
  );
}

/** Provisions the session's sandbox (a new one, or its kept workspace back), giving Docker a minute. */
export function provision(bus: Bus, sessionId: string): Promise<SandboxRecord> {
  return request(bus, SANDBOX_RPC.provision, { session_id: sessionId, spec: {} }, { timeoutMs: 60_000 });
}

/**
 * Runs a bash command in the session's ready sandbox, or in a new one on its kept workspace when it has
 * none any more (reaped while idle, or lost): what the session's steps left there is there either way.
 */
export async function bashInSession(bus: Bus, sessionId: SessionId, command: string): Promise<string> {
  const { data } = await request(bus, SANDBOX_RPC.list, { session_id: sessionId });
  const sandbox = data.find((s) => s.status === "ready") ?? (await provision(bus, sessionId));
  return (await runTool(bus, sandbox, "bash", { command })).content;
}
