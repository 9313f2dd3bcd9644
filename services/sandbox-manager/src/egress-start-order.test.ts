import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { HOST_RPC, SANDBOX_RPC, hostSubject, type SandboxRecord } from "@corral/protocol";
import { request, serve, type Bus, type Subscription } from "@corral/bus";
import { freePort, startSystem, waitFor, type TestSystem } from "@corral/testing";
import { LABELS } from "./labels.js";
import { docker, provision, removeTestContainers, runTool, startManager } from "./testing.js";

// The credential-proxy's egress config RPC, answered by the test: any start order must end with
// sandboxes that have their proxy settings, and a proxy restart must be a delay, not a sandbox without network.
let system: TestSystem;
let mgr: Awaited<ReturnType<typeof startManager>>;
let bus: Bus;
let port: number;
const CA_MARKER = `test-ca-${randomBytes(6).toString("hex")}`;

function answerEgress(): Subscription {
  const subject = hostSubject(HOST_RPC.egressConfig, mgr.config.hostId);
  return serve(
    bus,
    HOST_RPC.egressConfig,
    async ({ sandbox_id }) => ({
      token: `tok-${sandbox_id}`,
      port,
      ca_pem: `-----BEGIN CERTIFICATE-----\n${CA_MARKER}\n-----END CERTIFICATE-----\n`,
      env: {},
    }),
    { subject },
  );
}

async function poolContainers(egress: "0" | "1") {
  const label = [`${LABELS.host}=${mgr.config.hostId}`, `${LABELS.pool}=1`, `${LABELS.egress}=${egress}`];
  const containers = await docker.listContainers({ filters: { label } });
  return containers.filter((c) => c.State === "running");
}

async function executorOutput(containerId: string): Promise<string> {
  const logs = await docker.getContainer(containerId).logs({ stdout: true, stderr: false });
  return logs.toString("utf8");
}

const shell = (sbx: SandboxRecord, command: string) => runTool(bus, sbx, "bash", { command });

beforeAll(async () => {
  system = await startSystem("client");
  port = await freePort();
  bus = system.bus;
  mgr = await startManager(system.nats.url, { warmPool: 1 });
});

afterAll(async () => {
  await mgr.close();
  await system.stop();
  await removeTestContainers();
});

test("a warm sandbox booted before the egress proxy answered is renewed, and the one handed out has its proxy", async () => {
  await waitFor(async () => (await poolContainers("0")).length === 1, { timeoutMs: 30_000 });
  const proxy = answerEgress();
  const renewed = await waitFor(
    async () => (await poolContainers("0")).length === 0 && (await poolContainers("1"))[0],
    { timeoutMs: 30_000 },
  );
  // The pool hands a container out once its executor said it is ready (its first line of output).
  await waitFor(async () => (await executorOutput(renewed.Id)).includes("ready"), { timeoutMs: 30_000 });
  const sbx = await provision(bus, `sesn_${randomBytes(10).toString("hex")}`);
  const inspected = await docker.getContainer(sbx.container_id).inspect();
  expect(inspected.Config.Labels[LABELS.pool]).toBe("1");
  const env = await shell(
    sbx,
    'echo "$HTTPS_PROXY"; grep -c ' + CA_MARKER + " /etc/ssl/certs/ca-certificates.crt",
  );
  expect(env.content).toMatch(new RegExp(`http://${sbx.id}:tok-${sbx.id}@[0-9.]+:${port}\\n1\\n`));
  proxy.unsubscribe();
});

test("once a proxy has answered, a provision while it restarts waits for it instead of going without network", async () => {
  const provisioning = request(
    bus,
    SANDBOX_RPC.provision,
    // Its own environment variable keeps it off the warm pool: the container is booted for this request.
    { session_id: `sesn_${randomBytes(10).toString("hex")}`, spec: { env: { MARK: "1" } } },
    { timeoutMs: 60_000 },
  );
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const proxy = answerEgress();
  const sbx = await provisioning;
  const env = await shell(sbx, 'echo "$HTTPS_PROXY"');
  expect(env.content).toContain(`http://${sbx.id}:tok-${sbx.id}@`);
  proxy.unsubscribe();
});
