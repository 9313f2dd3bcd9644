import { request } from "@corral/bus";
import { HOST_RPC, SANDBOX_RPC, hostSubject, newId } from "@corral/protocol";
import { untilAnswers, waitFor } from "@corral/testing";
import { newSession } from "@corral/harness/testing";
import {
  idleWarmContainers,
  runTool,
  startManager,
  type SandboxRuntime,
} from "@corral/sandbox-manager/testing";
import { percentile } from "../lib/stats.js";
import { rawFirstByte, removeRaw } from "./raw.js";
import { startStack } from "./stack.js";

/**
 * Where a burst of cold first tool calls spends its time: each runtime step timed inside an in-process
 * manager (pool 0, or BENCH_WARM), the egress config RPC timed on its own at the same concurrency, and the whole call.
 * Run: node --import tsx bench/provision/profile.ts (BENCH_LEVEL, default 40).
 */
const LEVEL = Number(process.env.BENCH_LEVEL ?? 40);
/** BENCH_WARM=40: the same burst served by a pool of that many warm containers. */
const WARM = Number(process.env.BENCH_WARM ?? 0);
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
    closeHostPorts: () => runtime.closeHostPorts(),
    networkGateway: () => timed("docker: network gateway", () => runtime.networkGateway()),
  };
}

async function main(): Promise<void> {
  const { natsUrl, bus, host, stop } = await startStack("profile");
  const mgr = await startManager(
    natsUrl,
    { hostId: host.id, warmPool: WARM, memoryMb: 128, pids: 64 },
    timedRuntime,
  );
  if (WARM > 0)
    await waitFor(async () => (await idleWarmContainers(host.id)) >= WARM, { timeoutMs: 180_000 });
  spans.clear();
  const raw = await Promise.all(Array.from({ length: LEVEL }, () => rawFirstByte()));
  for (const r of raw) note("raw create+attach+start → first byte (same burst)", r.ms);
  await removeRaw(raw.map((r) => r.id));
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
  await mgr.close();
  await stop();
}

await main();
