import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectBus, request, type Bus } from "@corral/bus";
import { SANDBOX_RPC, STORE_RPC } from "@corral/protocol";
import { freePort, untilAnswers, untilHealthy } from "@corral/testing";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const composeFile = join(root, "deploy/compose/docker-compose.yml");

/** `deploy/compose` brought up under its own project name, ports and directory, as a user would run it. */
export interface ComposeStack {
  readonly project: string;
  /** nats://127.0.0.1:<port>,… — the three nodes as published on loopback. */
  readonly natsUrl: string;
  readonly gateways: string[];
  readonly dir: string;
  /** An admin connection (operators' user) for setting up agents and reading logs. */
  readonly bus: Bus;
  compose(...args: string[]): Promise<string>;
  /** SIGKILL to the main process of a compose service's container (as a crash: its restart policy applies). */
  crash(service: string): Promise<void>;
  down(): Promise<void>;
}

interface Ports {
  nats: number[];
  gateways: number[];
  egress: number;
  managerHealth: number;
  proxyHealth: number;
}

async function ports(): Promise<Ports> {
  const take = async (n: number) => Promise.all(Array.from({ length: n }, () => freePort()));
  const [n1, n2, n3, g1, g2, egress, managerHealth, proxyHealth] = await take(8);
  return {
    nats: [n1!, n2!, n3!],
    gateways: [g1!, g2!],
    egress: egress!,
    managerHealth: managerHealth!,
    proxyHealth: proxyHealth!,
  };
}

function composeEnv(dir: string, p: Ports, modelPort: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CORRAL_COMPOSE_DIR: dir,
    CORRAL_NATS_PORT_1: String(p.nats[0]),
    CORRAL_NATS_PORT_2: String(p.nats[1]),
    CORRAL_NATS_PORT_3: String(p.nats[2]),
    CORRAL_GATEWAY_PORT_1: String(p.gateways[0]),
    CORRAL_GATEWAY_PORT_2: String(p.gateways[1]),
    CORRAL_EGRESS_PORT: String(p.egress),
    CORRAL_MANAGER_HEALTH_PORT: String(p.managerHealth),
    CORRAL_PROXY_HEALTH_PORT: String(p.proxyHealth),
    CORRAL_SANDBOX_STATE_DIR: join(dir, "sandbox-manager"),
    CORRAL_HOST_ID: `compose-${randomBytes(3).toString("hex")}`,
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    SANDBOX_WARM_POOL: "2",
    ANTHROPIC_API_KEY: "scripted",
    ANTHROPIC_BASE_URL: `http://host.docker.internal:${modelPort}`,
  };
}

/** Builds the image from the current sources and brings the compose file up; resolves once it answers. */
export async function startComposeStack(modelPort: number): Promise<ComposeStack> {
  const dir = await mkdtemp(join(tmpdir(), "corral-compose-"));
  const p = await ports();
  const project = `corraltest${randomBytes(3).toString("hex")}`;
  const env = composeEnv(dir, p, modelPort);
  await run("bash", [join(root, "deploy/compose/prepare.sh")], { env, timeout: 60_000 });
  await run("bash", [join(root, "deploy/images/build.sh")], { env, timeout: 300_000 });
  const compose = async (...args: string[]) =>
    (await run("docker-compose", ["-p", project, "-f", composeFile, ...args], { env, timeout: 180_000 }))
      .stdout;
  await compose("up", "-d");
  const natsUrl = p.nats.map((port) => `nats://127.0.0.1:${port}`).join(",");
  const bus = await connectBus({
    servers: natsUrl.split(","),
    name: "compose-test",
    nkeySeedFile: join(dir, "auth", "admin.nk"),
    requestTimeoutMs: 15_000,
    replicas: 3,
  });
  const stack: ComposeStack = {
    project,
    natsUrl,
    gateways: p.gateways.map((port) => `http://127.0.0.1:${port}`),
    dir,
    bus,
    compose,
    crash: (service) => crash(compose, service),
    down: async () => {
      await bus.close().catch(() => undefined);
      await compose("down", "--volumes", "--remove-orphans", "--timeout", "5").catch(() => "");
      await removeTestContainers();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await untilReady(stack);
  return stack;
}

async function untilReady(stack: ComposeStack): Promise<void> {
  await untilAnswers(() => request(stack.bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 2000 }));
  await untilAnswers(() => request(stack.bus, SANDBOX_RPC.list, {}, { timeoutMs: 2000 }));
  for (const url of stack.gateways) await untilHealthy(url, 60_000);
}

async function crash(compose: ComposeStack["compose"], service: string): Promise<void> {
  const id = (await compose("ps", "-q", service)).trim();
  if (!id) throw new Error(`no container for ${service}`);
  const { stdout } = await run("docker", ["inspect", "--format", "{{.State.Pid}}", id]);
  // The container's first process is tini; its child is the service (or nats-server).
  const children = await readFile(`/proc/${stdout.trim()}/task/${stdout.trim()}/children`, "utf8");
  const pid = Number(children.trim().split(/\s+/)[0]);
  if (!pid) throw new Error(`${service}: no process under tini`);
  process.kill(pid, "SIGKILL");
}
