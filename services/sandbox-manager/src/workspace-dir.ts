import { chown, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";

/** The sandbox user (the container runs as 1000:1000), who owns its workspace. */
const SANDBOX_UID = 1000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** A workspace as a directory under the shared root (`SANDBOX_WORKSPACE_ROOT`), named for its volume. */
export function workspaceDir(root: string, volume: string): string {
  if (!NAME.test(volume)) throw new Error(`workspace name ${JSON.stringify(volume)} is not a plain name`);
  return join(root, volume);
}

/** Made if absent, owned by the sandbox user: kept as it is when it exists (another host made it). */
export async function createWorkspaceDir(root: string, volume: string): Promise<string> {
  const dir = workspaceDir(root, volume);
  if ((await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined)
    await chown(dir, SANDBOX_UID, SANDBOX_UID);
  return dir;
}

export async function removeWorkspaceDir(root: string, volume: string): Promise<void> {
  await rm(workspaceDir(root, volume), { recursive: true, force: true });
}
