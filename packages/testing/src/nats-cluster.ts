import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureAuthMaterial, renderServerConfig, type AuthMaterial } from "@corral/bus";
import { freePort, isListening, kill, launch, registerAuth, type NatsServer } from "./nats-server.js";
import { waitFor } from "./wait-for.js";

interface ClusterNode {
  name: string;
  port: number;
  routePort: number;
  configFile: string;
  child: ChildProcess;
}

export interface NatsCluster extends NatsServer {
  /** One URL per node, comma-separated in `url` (what NATS_URL takes). */
  readonly nodeUrls: readonly string[];
  /** SIGKILLs node `index` (default: a random one), waits `downMs`, starts it again over its data. */
  restart(index?: number, downMs?: number): Promise<void>;
}

function writeNodeConfigs(dir: string, auth: AuthMaterial, nodes: Omit<ClusterNode, "child">[]): void {
  const password = auth.routePassword();
  for (const node of nodes) {
    const routes = nodes
      .filter((other) => other !== node)
      .map((other) => `nats-route://route:${password}@127.0.0.1:${other.routePort}`);
    const config = renderServerConfig({
      host: "127.0.0.1",
      port: node.port,
      storeDir: join(dir, node.name),
      serverName: node.name,
      auth,
      cluster: { name: "corral-test", host: "127.0.0.1", port: node.routePort, routes, password },
    });
    writeFileSync(node.configFile, config, { mode: 0o600 });
  }
}

/**
 * A JetStream cluster of `size` nats-servers on loopback, with the users and permissions `corral
 * nats-config` gives a cluster (authenticated routes). Resolves once every node listens; JetStream elects its meta leader
 * a moment later (the services wait for it like for any restart).
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = await mkdtemp(join(tmpdir(), "corral-nats-cluster-"));
  const auth = ensureAuthMaterial(join(dir, "auth"));
  const specs = await Promise.all(
    Array.from({ length: size }, async (_, i) => ({
      name: `n${i + 1}`,
      port: await freePort(),
      routePort: await freePort(),
      configFile: join(dir, `n${i + 1}.conf`),
    })),
  );
  writeNodeConfigs(dir, auth, specs);
  const binary = process.env.NATS_SERVER_BIN ?? "nats-server";
  const nodes: ClusterNode[] = specs.map((spec) => ({
    ...spec,
    child: launch(binary, ["-c", spec.configFile], []),
  }));
  const ready = (node: ClusterNode) =>
    waitFor(() => isListening(node.port), { timeoutMs: 15_000, message: `node ${node.name} did not start` });
  await Promise.all(nodes.map(ready));
  const nodeUrls = nodes.map((node) => `nats://127.0.0.1:${node.port}`);
  const url = nodeUrls.join(",");
  for (const nodeUrl of nodeUrls) registerAuth(nodeUrl, auth);
  return {
    url,
    nodeUrls,
    port: nodes[0]!.port,
    storeDir: dir,
    auth,
    async restart(index = Math.floor(Math.random() * nodes.length), downMs = 0) {
      const node = nodes[index]!;
      await kill(node.child, "SIGKILL");
      await new Promise((resolve) => setTimeout(resolve, downMs));
      node.child = launch(binary, ["-c", node.configFile], []);
      await ready(node);
    },
    async stop() {
      await Promise.all(nodes.map((node) => kill(node.child, "SIGTERM")));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
