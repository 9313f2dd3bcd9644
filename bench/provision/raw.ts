import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { docker, managerConfig, RUN_LABEL, sandboxContainerOptions } from "@corral/sandbox-manager/testing";
import { NETWORK } from "./stack.js";

/**
 * The baseline's container: the manager's own hardened options (limits as the bench's manager has them),
 * labelled for a host no manager serves, so no manager adopts or counts it.
 */
const rawConfig = managerConfig({
  hostId: `bench-raw-${randomBytes(3).toString("hex")}`,
  network: NETWORK,
  memoryMb: 128,
  pids: 64,
  tmpfsMb: 256,
});

/**
 * Raw dockerode: a workspace volume, create, attach, start, and the container's first byte of output
 * (its command echoes at once). Resolves to the time taken and the container, for removal later.
 */
export async function rawFirstByte(): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const volume = `corral-bench-${randomBytes(6).toString("hex")}`;
  await docker.createVolume({ Name: volume, Labels: RUN_LABEL });
  const container = await docker.createContainer(
    sandboxContainerOptions(rawConfig, volume, ["sh", "-c", "echo hi; exec sleep infinity"]),
  );
  const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as Duplex;
  const firstByte = new Promise<void>((resolve) => stream.once("data", () => resolve()));
  await container.start();
  await firstByte;
  stream.destroy();
  return { ms: performance.now() - t0, id: container.id };
}

export async function removeRaw(ids: readonly string[]): Promise<void> {
  await Promise.all(
    ids.map((id) =>
      docker
        .getContainer(id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}
