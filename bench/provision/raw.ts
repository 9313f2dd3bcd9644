import { randomBytes } from "node:crypto";
import type { Duplex } from "node:stream";
import { docker, RUN_LABEL } from "@corral/sandbox-manager/testing";

/** The baseline's container: the manager's hardening, created and started straight through dockerode. */
function rawOptions(network: string, volume: string) {
  return {
    Image: "corral-sandbox:1",
    Cmd: ["sh", "-c", "echo hi; exec sleep infinity"],
    User: "1000:1000",
    Labels: RUN_LABEL,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: {
      NetworkMode: network,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges"],
      ReadonlyRootfs: true,
      Init: true,
      Memory: 128 * 2 ** 20,
      MemorySwap: 128 * 2 ** 20,
      PidsLimit: 64,
      Tmpfs: { "/tmp": "rw,exec,nosuid,size=64m" },
      Mounts: [{ Type: "volume" as const, Source: volume, Target: "/workspace" }],
    },
  };
}

/**
 * Raw dockerode: a workspace volume, create, attach, start, and the container's first byte of output
 * (its command echoes at once). Resolves to the time taken and the container, for removal later.
 */
export async function rawFirstByte(network: string): Promise<{ ms: number; id: string }> {
  const t0 = performance.now();
  const volume = `corral-bench-${randomBytes(6).toString("hex")}`;
  await docker.createVolume({ Name: volume, Labels: RUN_LABEL });
  const container = await docker.createContainer(rawOptions(network, volume));
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
