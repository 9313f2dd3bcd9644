import { setTimeout as sleep } from "node:timers/promises";
import type { ReceivedRequest, ScriptedReply } from "@corral/scripted-model";
import { toolResultsIn } from "@corral/scripted-model";
import type { NatsServer } from "./nats-server.js";
import { spawnService, type ServiceProcess } from "./process.js";

/**
 * A service run as `corral up` runs it: one that exits by itself is started again after a second; one the
 * chaos kills is started again by the chaos, after its pause.
 */
export interface Supervised {
  readonly name: string;
  readonly proc: ServiceProcess;
  /** Times it exited without being killed here (and was started again). */
  readonly crashes: number;
  /** Everything every incarnation wrote, oldest first. */
  output(): string;
  /** SIGKILLs it, waits `downMs`, starts it again. */
  killAndRestart(downMs: number): Promise<void>;
  /** Stops it for good (SIGTERM) and ends the supervision. */
  stop(): Promise<void>;
}

export function supervised(name: string, start: () => ServiceProcess): Supervised {
  let stopped = false;
  let killing = false;
  let crashes = 0;
  let earlier = "";
  const watch = (started: ServiceProcess) => {
    started.child.once("exit", () => {
      if (stopped || killing) return;
      crashes++;
      setTimeout(() => !stopped && !killing && launch(), 1000).unref();
    });
    return started;
  };
  let proc = watch(start());
  const launch = () => {
    earlier += proc.output();
    proc = watch(start());
  };
  return {
    name,
    get proc() {
      return proc;
    },
    get crashes() {
      return crashes;
    },
    output: () => earlier + proc.output(),
    async killAndRestart(downMs) {
      killing = true;
      await proc.kill("SIGKILL");
      await sleep(downMs);
      killing = false;
      if (!stopped) launch();
    },
    async stop() {
      stopped = true;
      await proc.kill("SIGTERM");
    },
  };
}

export interface ChaosOptions {
  /** Pause between two blows, drawn uniformly from this range. */
  everyMs: [number, number];
  /** How long a killed service stays down before it is started again. */
  downMs: [number, number];
  /** Restart nats-server itself once, after this long (null: never). */
  natsRestartAfterMs: number | null;
  /** Called once, after this long: e.g. a `docker kill` of one sandbox (null: never). */
  sandboxKill?: { afterMs: number; kill(): Promise<unknown> } | null;
}

export interface ChaosReport {
  kills: number;
  natsRestarts: number;
  sandboxKilled: unknown;
}

const between = ([low, high]: [number, number]) => low + Math.random() * (high - low);

/**
 * SIGKILLs a random service every so often and starts it again after a pause, until `until()` or `forMs`;
 * restarts nats-server once and runs the sandbox kill once, on their schedules.
 */
export async function runChaos(
  services: readonly Supervised[],
  nats: NatsServer,
  options: ChaosOptions,
  until: () => boolean,
  forMs: number,
): Promise<ChaosReport> {
  const started = Date.now();
  const report: ChaosReport = { kills: 0, natsRestarts: 0, sandboxKilled: null };
  const since = () => Date.now() - started;
  while (!until() && since() < forMs) {
    await sleep(between(options.everyMs));
    if (
      options.natsRestartAfterMs !== null &&
      report.natsRestarts === 0 &&
      since() > options.natsRestartAfterMs
    ) {
      await nats.restart();
      report.natsRestarts++;
      continue;
    }
    if (options.sandboxKill && report.sandboxKilled === null && since() > options.sandboxKill.afterMs)
      report.sandboxKilled = await options.sandboxKill.kill();
    const service = services[Math.floor(Math.random() * services.length)]!;
    await service.killAndRestart(between(options.downMs));
    report.kills++;
  }
  return report;
}

/**
 * A deterministic multi-tool agent for a scripted model: appends step k to a file in the sandbox, `steps`
 * times, then answers with the token the user's first message carries — so a finished session shows it
 * got its own answer, and the file shows whether any step ran twice.
 */
export function stepProgram(steps: number, latencyMs: [number, number]) {
  return (req: ReceivedRequest): ScriptedReply => {
    const k = toolResultsIn(req).length;
    const latency = Math.round(between(latencyMs));
    if (k < steps) {
      const command = `echo step-${k} >> /workspace/count.log; sleep 0.3`;
      return {
        type: "message",
        latencyMs: latency,
        content: [{ type: "tool_use", name: "bash", input: { command } }],
      };
    }
    const token = /token-[0-9a-f]+/.exec(JSON.stringify(req.body.messages[0]))?.[0];
    return { type: "message", latencyMs: latency, content: [{ type: "text", text: `finished ${token}` }] };
  };
}

/** Whether a session `stepProgram` drove answered with its own token and came to rest. */
export function answeredWith(events: readonly { type: string }[], token: string): boolean {
  const answered = events.some(
    (e) => e.type === "agent.message" && JSON.stringify(e).includes(`finished ${token}`),
  );
  return answered && events.at(-1)?.type === "session.status_idle";
}

/** What `stepProgram` left in a session's count.log: how often each step ran. */
export function stepCounts(countLog: string, steps: number): number[] {
  return Array.from({ length: steps }, (_, k) => countLog.split(`step-${k}\n`).length - 1);
}

/** The longest quiet gap between two consecutive events of a log while it ran (its worst stall). */
export function worstGapMs(events: readonly { processed_at: string }[]): number {
  let worst = 0;
  for (let i = 1; i < events.length; i++)
    worst = Math.max(worst, Date.parse(events[i]!.processed_at) - Date.parse(events[i - 1]!.processed_at));
  return worst;
}

export interface StackOptions {
  natsUrl: string;
  modelUrl: string;
  /** The sandbox-manager's state directory. */
  stateDir: string;
  /** Labels on every sandbox, so a run can remove its own containers. */
  sandboxLabels: Record<string, string>;
  egressPort: number;
  masterKey: string;
  replicas?: number;
  leaseTtlMs?: number;
  warmPool?: number;
  logLevel?: string;
  /** The harness replicas' log level (e.g. `debug` to see every step when a run must be explained). */
  brainLogLevel?: string;
  /** CORRAL_REPLICAS for every service: 3 on a cluster. */
  streamReplicas?: number;
  /** Harness replicas (default `replicas`). */
  harnesses?: number;
  /** Sandbox-managers, each as its own Docker host (`CORRAL_HOST_ID`); default 1. */
  managers?: number;
  /** Whether the session-stores consume `corral.tasks.submit` (default: off, RPC only). */
  taskIntake?: boolean;
}

/** Every Corral service as a real process: `replicas` session-stores, `harnesses` harnesses, a proxy, `managers` managers. */
export function superviseStack(o: StackOptions): Supervised[] {
  const common = {
    NATS_URL: o.natsUrl,
    LOG_LEVEL: o.logLevel ?? "warn",
    CORRAL_REPLICAS: String(o.streamReplicas ?? 1),
  };
  const out: Supervised[] = [];
  const intake = { CORRAL_TASK_INTAKE: o.taskIntake ? "1" : "0" };
  for (let i = 0; i < Math.max(o.replicas ?? 2, o.harnesses ?? 0); i++) {
    if (i < (o.replicas ?? 2))
      out.push(supervised(`store-${i}`, () => spawnService("session-store", { ...common, ...intake })));
    if (i >= (o.harnesses ?? o.replicas ?? 2)) continue;
    const brain = {
      ...common,
      LOG_LEVEL: o.brainLogLevel ?? common.LOG_LEVEL,
      HARNESS_NAME: `brain-${i}`,
      ANTHROPIC_API_KEY: "test-key",
      ANTHROPIC_BASE_URL: o.modelUrl,
      HARNESS_LEASE_TTL_MS: String(o.leaseTtlMs ?? 2000),
    };
    out.push(supervised(`brain-${i}`, () => spawnService("harness", brain)));
  }
  out.push(...hands(o, common));
  return out;
}

/**
 * One Docker "host" per manager (`CORRAL_HOST_ID`), each with its own credential-proxy, as deployed: a
 * sandbox's egress config comes from its own host's proxy. All share this engine and its sandbox network,
 * so host i's proxy listens on `egressPort + i`.
 */
function hands(o: StackOptions, common: Record<string, string>): Supervised[] {
  const out: Supervised[] = [];
  for (let i = 0; i < (o.managers ?? 1); i++) {
    const host = i === 0 ? "chaos-host" : `chaos-host-${i}`;
    const suffix = i === 0 ? "" : `-${i}`;
    const proxy = {
      ...common,
      CORRAL_HOST_ID: host,
      EGRESS_PORT: String(o.egressPort + i),
      CORRAL_MASTER_KEY: o.masterKey,
    };
    out.push(supervised(`proxy${suffix}`, () => spawnService("credential-proxy", proxy)));
    const manager = {
      ...common,
      CORRAL_HOST_ID: host,
      SANDBOX_NETWORK: "corral-sandboxes-test",
      SANDBOX_WARM_POOL: String(o.warmPool ?? 4),
      // A fixed pool: the chaos and cluster runs start bursts of 30 sessions, and a pool grown to cover
      // them would add 30 containers to a 2-core test machine (bench/provision measures the growth).
      SANDBOX_WARM_MAX: String(o.warmPool ?? 4),
      SANDBOX_EXTRA_LABELS: JSON.stringify(o.sandboxLabels),
      SANDBOX_STATE_DIR: `${o.stateDir}${suffix}`,
    };
    out.push(supervised(`manager${suffix}`, () => spawnService("sandbox-manager", manager)));
  }
  return out;
}
