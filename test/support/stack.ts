import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus, request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC } from "@corral/protocol";
import {
  busConfigFor,
  freePort,
  startScriptedModel,
  superviseStack,
  waitFor,
  type NatsServer,
  type ScriptedModel,
  type StackOptions,
  type Supervised,
} from "@corral/testing";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";

/**
 * Every service supervised as `corral up` runs it, on `nats` (a server or a cluster), a scripted model and
 * a client: what the chaos and cluster tests and `bench/cluster` run their sessions on.
 */
export interface Stack {
  readonly nats: NatsServer;
  readonly bus: Bus;
  readonly model: ScriptedModel;
  readonly services: Supervised[];
  /** The host port the sandbox-managers open in the firewall for the egress proxy. */
  readonly egressPort: number;
  stop(): Promise<void>;
}

/** The parts of `superviseStack`'s options a caller may choose; the rest (ports, keys, dirs) are made here. */
export type StackChoices = Pick<
  StackOptions,
  | "streamReplicas"
  | "brainLogLevel"
  | "logLevel"
  | "replicas"
  | "harnesses"
  | "managers"
  | "taskIntake"
  | "leaseTtlMs"
> & { clientName?: string };

export const answers = (fn: () => Promise<unknown>) => () =>
  fn().then(
    () => true,
    () => false,
  );

/** Starts the stack and resolves once a sandbox-manager and a session-store answer. */
export async function startStack(nats: NatsServer, choices: StackChoices = {}): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), "corral-stack-"));
  const model = await startScriptedModel();
  const { clientName, ...options } = choices;
  const egressPort = await freePort();
  const services = superviseStack({
    ...options,
    natsUrl: nats.url,
    modelUrl: model.url,
    stateDir: join(dir, "manager"),
    sandboxLabels: RUN_LABEL,
    egressPort,
    masterKey: randomBytes(32).toString("base64"),
    streamReplicas: choices.streamReplicas ?? 1,
  });
  const bus = await connectBus({
    ...busConfigFor(nats.url, "admin", clientName ?? "chaos-client"),
    requestTimeoutMs: 15_000,
    replicas: choices.streamReplicas ?? 1,
  });
  await waitFor(
    answers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 })),
    { timeoutMs: 60_000 },
  );
  await waitFor(
    answers(() => request(bus, STORE_RPC.sessionsList, {}, { timeoutMs: 1000 })),
    { timeoutMs: 30_000 },
  );
  return {
    nats,
    bus,
    model,
    services,
    egressPort,
    async stop() {
      await Promise.all(services.map((s) => s.stop()));
      await bus.close();
      await model.close();
      await removeTestContainers();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
