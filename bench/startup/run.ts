// Start-up to ready and resident memory of every service: compiled (dist/main.mjs under plain node, as
// `corral up` and the image run them) against the baseline of its TypeScript sources through the tsx
// loader, measured alternately in this one run. Ready = the service's /readyz answers 200 (its NATS
// subjects served and its dependencies answering). Builds the services first.
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { randomBytes } from "node:crypto";
import {
  freePort,
  spawnService,
  startNatsServer,
  startScriptedModel,
  type ServiceProcess,
} from "@corral/testing";
import { RUN_LABEL, removeTestContainers } from "@corral/sandbox-manager/testing";
import buildServices from "../../test/support/build.js";
import { percentile, printRows, type Row } from "../lib/stats.js";

const ROUNDS = Number(process.env.BENCH_N ?? 5);
const SERVICES = ["session-store", "credential-proxy", "sandbox-manager", "harness", "gateway"] as const;

interface Sample {
  readyMs: number;
  rssMb: number;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;

async function untilReady(port: number, service: ServiceProcess): Promise<void> {
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`exited before ready:\n${service.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await sleep(5);
  }
}

async function startOnce(service: string, env: Record<string, string>, compiled: boolean): Promise<Sample> {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawnService(service, { ...env, HEALTH_PORT: String(port) }, { compiled });
  try {
    await untilReady(port, proc);
    const readyMs = performance.now() - t0;
    await sleep(1000); // settled: the first timers and subscriptions in place
    return { readyMs, rssMb: rssMb(proc.child.pid!) };
  } finally {
    await proc.kill("SIGTERM");
  }
}

async function main(): Promise<void> {
  buildServices();
  const nats = await startNatsServer();
  const model = await startScriptedModel();
  const env: Record<string, string> = {
    NATS_URL: nats.url,
    ANTHROPIC_API_KEY: "bench",
    ANTHROPIC_BASE_URL: model.url,
    CORRAL_MASTER_KEY: randomBytes(32).toString("base64"),
    EGRESS_PORT: String(await freePort()),
    GATEWAY_PORT: String(await freePort()),
    SANDBOX_WARM_POOL: "0",
    SANDBOX_NETWORK: "corral-sandboxes-bench",
    SANDBOX_EXTRA_LABELS: JSON.stringify(RUN_LABEL),
    LOG_LEVEL: "warn",
  };
  // The store first, once, so every later start finds its streams (as in a running deployment).
  const store = spawnService("session-store", { ...env, HEALTH_PORT: String(await freePort()) });
  await sleep(3000);
  const rows: Row[] = [];
  for (const service of SERVICES) {
    const compiled: Sample[] = [];
    const loader: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      compiled.push(await startOnce(service, env, true));
      loader.push(await startOnce(service, env, false));
    }
    const p50 = (s: Sample[], k: keyof Sample) =>
      percentile(
        s.map((x) => x[k]),
        50,
      );
    rows.push({
      metric: `${service}: start to ready p50`,
      corral: p50(compiled, "readyMs"),
      baseline: p50(loader, "readyMs"),
      unit: "ms",
      target: "ratio ≤ 0.5",
      ok: (ratio) => ratio <= 0.5,
    });
    rows.push({
      metric: `${service}: resident memory p50`,
      corral: p50(compiled, "rssMb"),
      baseline: p50(loader, "rssMb"),
      unit: "MB",
      target: "lower",
      ok: (ratio) => ratio < 1,
    });
  }
  await store.kill("SIGTERM");
  await model.close();
  await nats.stop();
  await removeTestContainers();
  printRows(
    `startup: compiled (corral) vs the tsx loader (baseline), ${ROUNDS} starts each, alternating`,
    rows,
  );
}

await main();
