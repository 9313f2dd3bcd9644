import { request } from "@corral/bus";
import {
  MEMORY_RPC,
  type MemorySnapshotFile,
  type SessionId,
  type SessionResourceRecord,
} from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { textInput } from "./docker-root-exec.js";
import { writeManifest } from "./memory-manifest.js";

type MemoryResource = Extract<SessionResourceRecord, { type: "memory_store" }>;

/** The most snapshot pages read for one store (each bounded in bytes by the session-store). */
const SNAPSHOT_PAGES_MAX = 200;

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
export const slugOf = (r: MemoryResource) => r.mount_path.slice(r.mount_path.lastIndexOf("/") + 1);

/** The store's whole content, page by page. */
export async function snapshot(ctx: ManagerContext, storeId: string, sessionId: SessionId) {
  const files: MemorySnapshotFile[] = [];
  let page: string | undefined;
  for (let i = 0; i < SNAPSHOT_PAGES_MAX; i++) {
    const body = { memory_store_id: storeId as never, session_id: sessionId, ...(page ? { page } : {}) };
    const got = await request(ctx.bus, MEMORY_RPC.snapshot, body);
    files.push(...got.memories);
    if (!got.next_page) return files;
    page = got.next_page;
  }
  throw new Error(`memory store ${storeId} has more than ${SNAPSHOT_PAGES_MAX} pages`);
}

/**
 * One shell script placing every file (base64, so any text goes through), then the mode: read_only stores
 * are root's and unwritable, read_write ones writable by the sandbox user (what it changes is written back).
 */
function placeScript(dir: string, files: MemorySnapshotFile[], access: MemoryResource["access"]): string {
  const lines = [`rm -rf ${quote(dir)}`, `mkdir -p ${quote(dir)}`];
  for (const f of files) {
    const path = `${dir}${f.path}`;
    lines.push(`mkdir -p "$(dirname ${quote(path)})"`);
    lines.push(
      `printf '%s' ${quote(Buffer.from(f.content).toString("base64"))} | base64 -d > ${quote(path)}`,
    );
  }
  lines.push(access === "read_only" ? `chmod -R a-w,a+rX ${quote(dir)}` : `chmod -R a+rwX ${quote(dir)}`);
  return lines.join(" &&\n");
}

async function mountStore(ctx: ManagerContext, containerId: string, r: MemoryResource, sessionId: SessionId) {
  const files = await snapshot(ctx, r.memory_store_id, sessionId);
  const script = placeScript(r.mount_path, files, r.access);
  const placed = await ctx.runtime.rootExec!(containerId, ["sh"], {
    stdin: textInput(script),
    timeoutMs: 120_000,
  });
  if (placed.code !== 0) throw new Error(`placing failed (${placed.code}): ${placed.stderr.slice(0, 300)}`);
  const manifest = Object.fromEntries(files.map((f) => [f.path, f.content_sha256]));
  await writeManifest(ctx, containerId, slugOf(r), {
    memory_store_id: r.memory_store_id,
    access: r.access,
    files: manifest,
    refused: {},
  });
}

/**
 * Mounts the session's memory stores at /mnt/memory/<store> (part of provisioning, like file resources)
 * and returns the folders mounted. A store that cannot be mounted (archived since, unreachable) is logged
 * and left out.
 */
export async function mountMemoryStores(
  ctx: ManagerContext,
  containerId: string,
  sessionId: SessionId,
  resources: readonly SessionResourceRecord[],
): Promise<string[]> {
  const mounted: string[] = [];
  for (const r of resources) {
    if (r.type !== "memory_store") continue;
    const placed = await mountStore(ctx, containerId, r, sessionId).then(
      () => true,
      (err: unknown) => {
        const about = { err, session_id: sessionId, memory_store_id: r.memory_store_id };
        ctx.logger.warn(about, "memory store not mounted");
        return false;
      },
    );
    if (placed) mounted.push(`/mnt/memory/${slugOf(r)}`);
  }
  return mounted;
}
