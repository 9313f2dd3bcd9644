import type Docker from "dockerode";
import { execFile } from "node:child_process";
import { mkdir, open, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface VolumeConfig {
  /** The size of each new workspace, or null for an unbounded Docker volume. */
  diskMb: number | null;
  /** Where the workspace images live (one sparse file per sized workspace). */
  imageDir: string;
  labels: Record<string, string>;
}

const imagePath = (config: VolumeConfig, name: string) => join(config.imageDir, `${name}.ext4`);

/**
 * A workspace volume. With `diskMb`, a sparse ext4 image of that size attached to a loop device and
 * mounted by Docker's local driver: writing past it fails with ENOSPC inside the sandbox. Overlay2 on
 * ext4 has no per-volume quota, and a tmpfs volume would lose the workspace with its container.
 */
export async function createWorkspaceVolume(
  docker: Docker,
  name: string,
  config: VolumeConfig,
): Promise<void> {
  if (
    await docker
      .getVolume(name)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return;
  if (config.diskMb === null) {
    await docker.createVolume({ Name: name, Labels: config.labels });
    return;
  }
  await mkdir(config.imageDir, { recursive: true });
  const image = imagePath(config, name);
  const file = await open(image, "w");
  await file.truncate(config.diskMb * 1024 * 1024).finally(() => file.close());
  await run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", "root_owner=1000:1000", image]);
  const device = (await run("losetup", ["--find", "--show", image])).stdout.trim();
  await docker.createVolume({
    Name: name,
    Labels: config.labels,
    DriverOpts: { type: "ext4", device },
  });
}

/** Removes a workspace volume and, for a sized one, its loop device and image. */
export async function removeWorkspaceVolume(
  docker: Docker,
  name: string,
  config: VolumeConfig,
): Promise<void> {
  const inspected = await docker
    .getVolume(name)
    .inspect()
    .catch(() => null);
  if (!inspected) return;
  await docker
    .getVolume(name)
    .remove({ force: true })
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  const device = (inspected.Options as Record<string, string> | null)?.device;
  if (device?.startsWith("/dev/loop")) await run("losetup", ["-d", device]).catch(() => undefined);
  await rm(imagePath(config, name), { force: true });
}
