import { randomBytes } from "node:crypto";
import { connectBus, request, type Bus } from "@corral/bus";
import { HOST_RPC, SANDBOX_RPC, STORE_RPC, hostSubject, newId, type SandboxRecord } from "@corral/protocol";
import {
  busConfigFor,
  freePort,
  spawnService,
  startNatsServer,
  untilAnswers,
  type ServiceProcess,
} from "@corral/testing";
import {
  destroySandboxes,
  idleWarmContainers,
  removeTestContainers,
  RUN_LABEL,
  runTool,
} from "@corral/sandbox-manager/testing";

export const NETWORK = "corral-sandboxes-test";

/** This bench's host: one credential-proxy and one sandbox-manager paired by CORRAL_HOST_ID. */
export interface Host {
  id: string;
  proxy: ServiceProcess;
}

/** What every provision bench runs on: a nats-server, an admin client, the session-store, a proxy's host. */
export interface Stack {
  natsUrl: string;
  bus: Bus;
  host: Host;
  stop(): Promise<void>;
}

export async function startStack(client: string): Promise<Stack> {
  const nats = await startNatsServer();
  const bus = await connectBus(busConfigFor(nats.url, "admin", client));
  const store = spawnService("session-store", {
    NATS_URL: nats.url,
    LOG_LEVEL: "warn",
    CORRAL_TASK_INTAKE: "0",
  });
  const host = await startProxy(nats.url);
  await untilUp(bus, host);
  return {
    natsUrl: nats.url,
    bus,
    host,
    async stop() {
      await host.proxy.kill("SIGTERM");
      await store.kill("SIGTERM");
      await bus.close();
      await nats.stop();
      await removeTestContainers();
    },
  };
}

/** The proxy and the session-store answer (so no sandbox of the bench boots without egress). */
async function untilUp(bus: Bus, host: Host): Promise<void> {
  const subject = hostSubject(HOST_RPC.egressConfig, host.id);
  await untilAnswers(() =>
    request(bus, HOST_RPC.egressConfig, { sandbox_id: newId("sandbox") }, { subject, timeoutMs: 1000 }),
  );
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, {}, { timeoutMs: 1000 }));
}

async function startProxy(natsUrl: string): Promise<Host> {
  const id = `prov-${randomBytes(3).toString("hex")}`;
  const proxy = spawnService("credential-proxy", {
    NATS_URL: natsUrl,
    LOG_LEVEL: "warn",
    CORRAL_HOST_ID: id,
    EGRESS_PORT: String(await freePort()),
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
  });
  return { id, proxy };
}

/** A sandbox-manager on the host; `warmPool` unset leaves SANDBOX_WARM_POOL (and the rest) at the defaults. */
export async function startManager(
  bus: Bus,
  natsUrl: string,
  host: Host,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const manager = spawnService("sandbox-manager", {
    NATS_URL: natsUrl,
    LOG_LEVEL: "warn",
    CORRAL_HOST_ID: host.id,
    SANDBOX_NETWORK: NETWORK,
    SANDBOX_MEMORY_MB: "128",
    SANDBOX_PIDS: "64",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    ...env,
  });
  await untilAnswers(() => request(bus, SANDBOX_RPC.list, {}, { timeoutMs: 1000 }));
  return manager;
}

/** A session's first tool call as the harness makes it: provision, then `bash echo` over the exec subject. */
export async function firstToolCall(
  bus: Bus,
  sessionId: string,
): Promise<{ ms: number; sbx: SandboxRecord }> {
  const t0 = performance.now();
  const sbx = await request(
    bus,
    SANDBOX_RPC.provision,
    { session_id: sessionId, spec: {} },
    { timeoutMs: 120_000 },
  );
  const result = await runTool(bus, sbx, "bash", { command: "echo hi" }, { timeoutMs: 60_000 });
  if (result.is_error || !result.content.includes("hi")) throw new Error(`tool failed: ${result.content}`);
  return { ms: performance.now() - t0, sbx };
}

export async function destroyAll(bus: Bus, sandboxes: readonly SandboxRecord[]): Promise<void> {
  await destroySandboxes(bus, sandboxes).catch(() => undefined);
}

/** Waits until the pool holds `want` containers, or stops growing for `stallMs`, or `maxMs` passes. */
export async function poolSettles(
  hostId: string,
  want: number,
  maxMs = 90_000,
  stallMs = 20_000,
): Promise<number> {
  const t0 = Date.now();
  let last = -1;
  let since = Date.now();
  for (;;) {
    const n = await idleWarmContainers(hostId);
    if (n !== last) [last, since] = [n, Date.now()];
    if (n >= want || Date.now() - since > stallMs || Date.now() - t0 > maxMs) return n;
    await new Promise((r) => setTimeout(r, 500));
  }
}
