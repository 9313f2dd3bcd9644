import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { request } from "@corral/bus";
import { STORE_RPC } from "@corral/protocol";
import { startScriptedModel, startSystem, untilAnswers } from "@corral/testing";
import { printRows } from "../lib/stats.js";
import { burst } from "./burst.js";
import { measureIdleCost } from "./idle-cost.js";
import { memoryProbe } from "./process-memory.js";
import { printIdleCost } from "./print-idle-cost.js";

const SHORT = Number(process.env.BENCH_N ?? 200);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 1000);
/** Sessions in the log at the end, brought there CONCURRENT at a time. */
const TOTAL = Number(process.env.BENCH_SESSIONS ?? 10_000);

/** What a service logged at warn or above (the bench runs them at LOG_LEVEL=warn): a count and the first few. */
function logged(name: string, output: string): void {
  const lines = output.split("\n").filter((line) => line.trim() !== "");
  process.stdout.write(`${name}: ${lines.length} lines at warn or above\n`);
  for (const line of lines.slice(0, 3)) process.stdout.write(`  ${line.slice(0, 300)}\n`);
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const probe = memoryProbe();
  const system = await startSystem("bench", { requestTimeoutMs: 30_000 });
  const bus = system.bus;
  const model = await startScriptedModel();
  model.setFallback({ type: "message", content: [{ type: "text", text: "short answer" }] });
  const store = system.spawn("session-store", { LOG_LEVEL: "warn", ...probe.env });
  await untilAnswers(() => request(bus, STORE_RPC.agentsList, { limit: 1 }, { timeoutMs: 1000 }));
  const agent = await request(bus, STORE_RPC.agentsCreate, { name: "scale", model: "m" });
  const env = await request(bus, STORE_RPC.environmentsCreate, { name: "scale" });
  const brain = () =>
    system.spawn("harness", {
      ANTHROPIC_API_KEY: "bench",
      ANTHROPIC_BASE_URL: model.url,
      HARNESS_CONCURRENCY: String(CONCURRENT),
      LOG_LEVEL: "warn",
      ...probe.env,
    });
  const brains = [brain()];
  await sleep(3000);
  await burst(bus, agent.id, env.id, 20);
  const one = await burst(bus, agent.id, env.id, SHORT);
  brains.push(brain());
  await sleep(3000);
  await burst(bus, agent.id, env.id, 20);
  const two = await burst(bus, agent.id, env.id, SHORT);
  const many = await burst(bus, agent.id, env.id, CONCURRENT);
  printRows(
    `scale (short one-turn sessions, zero-latency scripted model; every service in its own process)`,
    [
      {
        metric: `throughput, ${SHORT} sessions, 2 harness vs 1`,
        corral: two.perSecond,
        baseline: one.perSecond,
        unit: "sess/s",
        target: "(no target; 2 cores shared by all)",
        ok: () => true,
      },
      {
        metric: `${CONCURRENT} concurrent sessions (2 harness): sessions/s`,
        corral: many.perSecond,
        baseline: one.perSecond,
        unit: "sess/s",
        target: "all complete",
        ok: () => true,
      },
      {
        metric: `session.error or never at rest (600 s)`,
        corral: [one, two, many].reduce((n, r) => n + r.failed + r.unfinished, 0),
        baseline: 1,
        unit: "errors",
        target: "0 errors",
        ok: (r) => r === 0,
      },
    ],
  );
  const existing = 40 + 2 * SHORT + CONCURRENT;
  const idle = await measureIdleCost(
    {
      bus,
      agentId: agent.id,
      environmentId: env.id,
      store: store.child,
      harness: brains.map((b) => b.child),
      probe,
    },
    existing,
    TOTAL,
    CONCURRENT,
  );
  printIdleCost(idle, { existing, total: TOTAL, live: CONCURRENT, baseline: two.perSecond });
  for (const [i, b] of brains.entries()) logged(`harness ${i}`, b.output());
  logged("session-store", store.output());
  await system.stop();
  await model.close();
  probe.close();
}

await main();
