import { request } from "@corral/bus";
import { OBJECT_STORES, STORE_RPC, type FileResourceRecord, type SessionId } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { mountMemoryStores } from "./memory-mounts.js";
import { objectStore } from "./object-stores.js";

/** How long placing one file may take (a large file streams from the object store into the sandbox). */
const MOUNT_TIMEOUT_MS = 120_000;

// A file goes to a temporary name first, so a half-written one is never at its mount path.
const PLACE = 'mkdir -p "$(dirname "$1")" && cat > "$1.part" && chmod 0444 "$1.part" && mv -f "$1.part" "$1"';

async function place(ctx: ManagerContext, containerId: string, file: FileResourceRecord): Promise<void> {
  const bytes = await (await objectStore(ctx, OBJECT_STORES.files)).get(file.file_id);
  if (!bytes) throw new Error(`file ${file.file_id} has no bytes (deleted or expired)`);
  const stdin = bytes as unknown as AsyncIterable<Uint8Array>;
  const cmd = ["sh", "-c", PLACE, "sh", file.mount_path];
  const result = await ctx.runtime.rootExec!(containerId, cmd, { stdin, timeoutMs: MOUNT_TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`placing failed (${result.code}): ${result.stderr.slice(0, 500)}`);
}

/**
 * Places the session's file resources in a sandbox, read-only (its outputs folder is a mount of its own). Runs as part
 * of provisioning (so only when a tool first needs the sandbox, never before the first model request) and
 * again for every new sandbox of the session or of its threads. A file that cannot be placed is logged and
 * left out: the tool that looks for it finds nothing there, and the session lives on.
 */
export async function mountSessionResources(
  ctx: ManagerContext,
  containerId: string,
  sessionId: SessionId,
): Promise<string[]> {
  if (!ctx.runtime.rootExec) return [];
  const session = await request(ctx.bus, STORE_RPC.sessionsGet, { session_id: sessionId }).catch(
    (err: unknown) => void ctx.logger.warn({ err, session_id: sessionId }, "session resources not read"),
  );
  if (!session) return [];
  const files = session.resources.filter((r): r is FileResourceRecord => r.type === "file");
  for (const file of files)
    await place(ctx, containerId, file).catch((err: unknown) =>
      ctx.logger.warn({ err, session_id: sessionId, file_id: file.file_id }, "file resource not mounted"),
    );
  return mountMemoryStores(ctx, containerId, sessionId, session.resources);
}
