import { z } from "zod";

/** The longest mount path accepted (bytes of UTF-8 are at most 4 per unit; Linux's PATH_MAX is 4096). */
export const MOUNT_PATH_MAX_LENGTH = 512;
/** Where the agent's outputs are collected from; files written here become files scoped to the session. */
export const SESSION_OUTPUTS_DIR = "/mnt/session/outputs";
/** Where memory stores are mounted, one directory per store (named after it). */
export const MEMORY_MOUNT_ROOT = "/mnt/memory";
/** The default place of a file resource: `/mnt/session/uploads/<file_id>`. */
export const defaultFileMountPath = (fileId: string) => `/mnt/session/uploads/${fileId}`;

/**
 * File mounts live under `/mnt`, a directory the sandbox user cannot write (a tmpfs owned by root), so a
 * mounted file is read-only for the agent; the outputs folder and the memory mounts are kept for
 * themselves. Anywhere else (the image's system directories, the user's own workspace) a mount would either
 * shadow the system or be writable by the agent.
 */
const MOUNT_ROOT = "/mnt/";
const RESERVED = [SESSION_OUTPUTS_DIR, MEMORY_MOUNT_ROOT];

const within = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

/** Why `path` cannot be a file's mount path, or null when it can. */
export function mountPathProblem(path: string): string | null {
  if (path.includes("\0")) return "must not contain NUL";
  if (!path.startsWith("/")) return "must be an absolute path";
  const segments = path.split("/").slice(1);
  if (segments.some((s) => s === ".." || s === ".")) return "must not contain . or .. segments";
  if (segments.some((s) => s === "")) return "must not contain empty segments or end with /";
  if (!path.startsWith(MOUNT_ROOT))
    return `must be under ${MOUNT_ROOT} (Corral mounts files read-only there)`;
  const reserved = RESERVED.find((dir) => within(path, dir) || within(dir, path));
  if (reserved) return `must not be or contain ${reserved} (kept for Corral)`;
  return null;
}

export const MountPath = z
  .string()
  .min(1)
  .max(MOUNT_PATH_MAX_LENGTH)
  .superRefine((path, ctx) => {
    const problem = mountPathProblem(path);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Whether two mount paths collide: the same path, or one inside the other. */
export const mountPathsOverlap = (a: string, b: string) => within(a, b) || within(b, a);
