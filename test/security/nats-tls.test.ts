import { afterAll, expect, test } from "vitest";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { connectBus, openTypedBucket, probeOperation } from "@corral/bus";
import { freePort, waitFor } from "@corral/testing";
import { BUCKETS } from "@corral/protocol";
import { z } from "zod";

const cli = fileURLToPath(new URL("../../packages/cli/src/main.ts", import.meta.url));
let dir: string;
let server: ChildProcess | undefined;

afterAll(async () => {
  server?.kill("SIGKILL");
  if (dir) await rm(dir, { recursive: true, force: true });
});

test("corral nats-config --tls: a node that speaks only TLS, with the same users; plaintext and anonymous clients are refused", async () => {
  dir = await mkdtemp(join(tmpdir(), "corral-nats-tls-"));
  const [port, routePort] = [await freePort(), await freePort()];
  const args = ["--out", dir, "--nodes", "1", "--hosts", "127.0.0.1", "--bind", "127.0.0.1", "--tls"];
  const extra = ["--port", String(port), "--route-port", String(routePort), "--data", join(dir, "data")];
  const { stdout } = await promisify(execFile)(process.execPath, [
    "--import",
    "tsx",
    cli,
    "nats-config",
    ...args,
    ...extra,
  ]);
  const config = stdout.trim().split("\n")[0]!;
  server = spawn("nats-server", ["-c", config], { stdio: "ignore" });
  const servers = `nats://127.0.0.1:${port}`;
  const identity = { nkeySeedFile: join(dir, "auth", "harness.nk"), inboxPrefix: "_INBOX_harness" };
  const tls = { caFile: join(dir, "tls", "ca.pem") };
  const bus = await waitFor(
    () =>
      connectBus({ servers, name: "harness", ...identity, tls, waitOnFirstConnect: false }).catch(() => null),
    { timeoutMs: 15_000, message: "no TLS connection" },
  );
  expect(await probeOperation(() => openTypedBucket(bus, BUCKETS.leases, z.unknown()))).toBe("allowed");
  expect(await probeOperation(() => openTypedBucket(bus, BUCKETS.secrets, z.unknown()))).toBe("denied");
  await bus.close();
  await expect(
    connectBus({ servers, name: "harness", ...identity, waitOnFirstConnect: false }),
  ).rejects.toThrow();
  await expect(connectBus({ servers, name: "anonymous", tls, waitOnFirstConnect: false })).rejects.toThrow(
    /authoriz/i,
  );
});
