import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openObjectStore } from "@corral/bus";
import { OBJECT_STORES } from "@corral/protocol";
import { freePort, startSystem, untilHealthy } from "@corral/testing";
import { createApiKey, openKeyBucket } from "@corral/gateway";
import { percentile, printRows } from "../lib/stats.js";

// Files through the gateway (multipart upload streamed into the object store; download streamed out of
// it) next to the same bytes put into and read from the object store directly over NATS, in the same run
// on the same nats-server. The gateway runs compiled in its own process; the client and the direct path
// run in this one. The machine is shared and noisy: read the ratio, not the absolute figures.
const MB = Number(process.env.BENCH_FILE_MB ?? 50);
const RUNS = Number(process.env.BENCH_N ?? 5);

const mbPerSec = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Reads a body to its end without keeping it, returning how many bytes came. */
async function drain(body: ReadableStream<Uint8Array> | null): Promise<number> {
  let n = 0;
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) n += chunk.length;
  return n;
}

async function main(): Promise<void> {
  execFileSync("npm", ["run", "--silent", "build"], { stdio: "inherit" });
  const system = await startSystem("bench");
  const port = await freePort();
  system.spawn("gateway", { LOG_LEVEL: "warn", GATEWAY_PORT: String(port) });
  const url = `http://127.0.0.1:${port}`;
  await untilHealthy(url);
  const { key } = await createApiKey(await openKeyBucket(system.bus), "bench");
  const objects = await openObjectStore(system.bus, OBJECT_STORES.files);
  const bytes = randomBytes(MB * 1e6);
  const samples = {
    upHttp: [] as number[],
    upNats: [] as number[],
    downHttp: [] as number[],
    downNats: [] as number[],
  };

  for (let i = 0; i < RUNS; i++) {
    const form = new FormData();
    form.append("file", new Blob([bytes]), "bench.bin");
    let id = "";
    samples.upHttp.push(
      mbPerSec(
        bytes.length,
        await timed(async () => {
          const res = await fetch(`${url}/v1/files`, {
            method: "POST",
            headers: { "x-api-key": key },
            body: form,
          });
          if (!res.ok) throw new Error(`upload: ${res.status} ${await res.text()}`);
          id = ((await res.json()) as { id: string }).id;
        }),
      ),
    );
    samples.upNats.push(
      mbPerSec(
        bytes.length,
        await timed(() => objects.put(`bench_${i}`, new Blob([bytes]).stream()).then(() => {})),
      ),
    );
    samples.downHttp.push(
      mbPerSec(
        bytes.length,
        await timed(async () => {
          const res = await fetch(`${url}/v1/files/${id}/content`, { headers: { "x-api-key": key } });
          if ((await drain(res.body)) !== bytes.length) throw new Error("download: short read");
        }),
      ),
    );
    samples.downNats.push(
      mbPerSec(
        bytes.length,
        await timed(async () => {
          if ((await drain(await objects.get(`bench_${i}`))) !== bytes.length)
            throw new Error("get: short read");
        }),
      ),
    );
    await fetch(`${url}/v1/files/${id}`, { method: "DELETE", headers: { "x-api-key": key } });
    await objects.delete(`bench_${i}`);
  }

  const row = (metric: string, corral: number[], baseline: number[]) => ({
    metric,
    corral: percentile(corral, 50),
    baseline: percentile(baseline, 50),
    unit: "MB/s",
    target: "ratio ≥ 0.5",
    ok: (ratio: number) => ratio >= 0.5,
  });
  printRows(`files: ${MB} MB × ${RUNS} runs, median; gateway (HTTP) vs the object store directly (NATS)`, [
    row("upload", samples.upHttp, samples.upNats),
    row("download", samples.downHttp, samples.downNats),
  ]);
  await system.stop();
}

await main();
