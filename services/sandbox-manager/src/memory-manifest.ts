import { z } from "zod";
import type { ManagerContext } from "./context.js";
import { textInput } from "./docker-root-exec.js";

/**
 * What a memory mount started from, kept inside the sandbox where only root reads it: the store and, per
 * path, the sha256 the file had when placed or last written back. A manager that restarted (or another
 * one) finds it there, so a write-back's preconditions never depend on one process's memory.
 */
export const MemoryManifest = z.object({
  memory_store_id: z.string(),
  access: z.enum(["read_write", "read_only"]),
  files: z.record(z.string(), z.string()),
  /** Versions that could not be saved (and why was said once): not sent again until they change. */
  refused: z.record(z.string(), z.string()).default({}),
});
export type MemoryManifest = z.infer<typeof MemoryManifest>;

const DIR = "/mnt/memory/.corral";
const fileOf = (slug: string) => `${DIR}/${slug}.json`;
const WRITE = `mkdir -p ${DIR} && chmod 0700 ${DIR} && cat > "$1.part" && chmod 0600 "$1.part" && mv -f "$1.part" "$1"`;

export async function writeManifest(
  ctx: ManagerContext,
  containerId: string,
  slug: string,
  manifest: MemoryManifest,
): Promise<void> {
  const cmd = ["sh", "-c", WRITE, "sh", fileOf(slug)];
  const r = await ctx.runtime.rootExec!(containerId, cmd, {
    stdin: textInput(JSON.stringify(manifest)),
    timeoutMs: 30_000,
  });
  if (r.code !== 0) throw new Error(`memory manifest not written: ${r.stderr.slice(0, 200)}`);
}

export async function readManifest(
  ctx: ManagerContext,
  containerId: string,
  slug: string,
): Promise<MemoryManifest | null> {
  const r = await ctx.runtime.rootExec!(containerId, ["cat", fileOf(slug)], { timeoutMs: 30_000 });
  if (r.code !== 0) return null;
  const parsed = MemoryManifest.safeParse(JSON.parse(r.stdout));
  return parsed.success ? parsed.data : null;
}
