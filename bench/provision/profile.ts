import { connectBus, request } from "@corral/bus";
import { HOST_RPC, SANDBOX_RPC, hostSubject, newId } from "@corral/protocol";
import { busConfigFor, spawnService, startNatsServer, testLogger, untilAnswers } from "@corral/testing";
import { newSession } from "@corral/harness/testing";
import { createSandboxManager } from "@corral/sandbox-manager";
import { docker, managerConfig, removeTestContainers, runTool } from "@corral/sandbox-manager/testing";
import { createDockerRuntime } from "../../services/sandbox-manager/src/docker-runtime.js";
import type { SandboxRuntime } from "../../services/sandbox-manager/src/sandbox-runtime.js";
import { percentile } from "../lib/stats.js";
import { startProxy, untilUp } from "./stack.js";

/**
 * Where a burst of cold first tool calls spends its time: each runtime step timed inside an in-process
 * manager (pool 0), the egress config RPC timed on its own at the same concurrency, and the whole call.
 * Run: node --import tsx bench/provision/profile.ts (BENCH_LEVEL, default 40).
 */
const LEVEL = Number(process.env.BENCH_LEVEL ?? 40);
const spans = new Map<string, number[]>();
const note = (name: string, ms: number) => spans.set(name, [...(spans.get(name) ?? []), ms]);

async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    note(name, performance.now() - t0);
  }
}

function timedRuntime(runtime: SandboxRuntime): SandboxRuntime {
  return {
    ...runtime,
    create: (spec) => timed("docker: volume + create", () => runtime.create(spec)),
    attach: async (id) => {
      const channel = await timed("docker: attach", () => runtime.attach(id));
      const t0 = performance.now();
      void channel.ready.then(() => note("attach → executor ready (start + python)", performance.now() - t0));
      return channel;
    },
    start: (id) => timed("docker: start", () => runtime.start(id)),
    allowHostPort: (port) => timed("firewall: allowHostPort", () => runtime.allowHostPort(port)),
    networkGateway: () => timed("docker: network gateway", () => runtime.networkGateway()),
  };
}

async function main(): Promise<void> {
  const nats = await startNatsServer();
  const bus = await connectBus(busConfigFor(nats.url, "admin", "profile"));
  const store = spawnService("session-store", {
    NATS_URL: nats.url,
    LOG_LEVEL: "warn",
    CORRAL_TASK_INTAKE: "0",
  });
  const host = await startProxy(nats.url);
  await untilUp(bus, host);
  const config = managerConfig({ hostId: host.id });
  const runtime = timedRuntime(
    createDockerRuntime(docker, { ...config, imageDir: "/tmp", extraLabels: config.extraLabels }),
  );
  const mbus = await connectBus(busConfigFor(nats.url, "sandbox-manager"));
  const manager = createSandboxManager({ bus: mbus, runtime, logger: testLogger("sandbox-manager"), config });
  await manager.start();
  const tool = { tools: [{ type: "agent_toolset_20260401" as const }] };
  await untilAnswers(() => newSession(bus, tool));
  const sessions = await Promise.all(Array.from({ length: LEVEL }, () => newSession(bus, tool)));
  const egressSubject = hostSubject(HOST_RPC.egressConfig, host.id);
  await Promise.all(
    sessions.map((session_id) =>
      timed("egress config RPC alone (same burst size)", () =>
        request(
          bus,
          HOST_RPC.egressConfig,
          { sandbox_id: newId("sandbox"), session_id },
          { subject: egressSubject },
        ),
      ).catch((err: unknown) => console.error("egress", String(err))),
    ),
  );
  await Promise.all(
    sessions.map(async (session_id) => {
      const t0 = performance.now();
      const sbx = await timed("provision RPC", () =>
        request(bus, SANDBOX_RPC.provision, { session_id, spec: {} }, { timeoutMs: 120_000 }),
      );
      await timed("exec bash echo", () => runTool(bus, sbx, "bash", { command: "echo hi" }));
      note("first tool call (total)", performance.now() - t0);
    }),
  );
  for (const [name, xs] of spans)
    console.log(
      `${name.padEnd(46)} n=${String(xs.length).padStart(3)}  p50 ${percentile(xs, 50).toFixed(0).padStart(6)} ms  p95 ${percentile(xs, 95).toFixed(0).padStart(6)} ms  sum ${xs.reduce((a, b) => a + b, 0).toFixed(0)} ms`,
    );
  await manager.stop();
  await mbus.close();
  await host.proxy.kill("SIGTERM");
  await store.kill("SIGTERM");
  await bus.close();
  await nats.stop();
  await removeTestContainers();
}

await main();
