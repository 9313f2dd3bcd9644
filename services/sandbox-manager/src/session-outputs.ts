import { PassThrough, Readable } from "node:stream";
import { request, serialRuns } from "@corral/bus";
import {
  DEFAULT_WORKSPACE,
  OBJECT_STORES,
  isCorralError,
  OUTPUT_RPC,
  SESSION_OUTPUTS_DIR,
  SESSION_OUTPUTS_PER_SCAN_MAX,
  SESSION_OUTPUTS_PER_SESSION_MAX,
  STORE_RPC,
  outputFileId,
  type FileId,
  type SessionId,
} from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { objectStore } from "./object-stores.js";
import type { OwnedSandbox } from "./sandboxes.js";
import { scanOutputs, type OutputEntry } from "./session-outputs-scan.js";

/** Per sandbox: the versions (`path size mtime`) already collected, and its collections, one at a time. */
interface Collected {
  seen: Set<string>;
  collect: () => Promise<void>;
}
const collected = new WeakMap<OwnedSandbox, Collected>();
const workspaces = new Map<SessionId, string>();

const stagedStore = (ctx: ManagerContext) => objectStore(ctx, OBJECT_STORES.sessionOutputs);

async function workspaceOf(ctx: ManagerContext, sessionId: SessionId): Promise<string> {
  let workspace = workspaces.get(sessionId);
  if (!workspace) {
    const session = await request(ctx.bus, STORE_RPC.sessionsGet, { session_id: sessionId });
    workspace = session.workspace_id ?? DEFAULT_WORKSPACE;
    if (workspaces.size > 10_000) workspaces.clear();
    workspaces.set(sessionId, workspace);
  }
  return workspace;
}

/** Streams the file out of the sandbox into the staging store under `id`; false if it changed meanwhile. */
async function stage(ctx: ManagerContext, containerId: string, id: FileId, entry: OutputEntry) {
  const pass = new PassThrough();
  const put = (await stagedStore(ctx)).put(id, Readable.toWeb(pass) as ReadableStream<Uint8Array>);
  const path = `${SESSION_OUTPUTS_DIR}/${entry.path}`;
  const read = await ctx.runtime.rootExec!(containerId, ["cat", "--", path], {
    onStdout: (chunk) => pass.write(chunk),
    timeoutMs: 120_000,
    asSandboxUser: true,
  }).catch((err: unknown) => ({ code: -1, stderr: String(err) }));
  if (read.code === 0) pass.end();
  else pass.destroy(new Error(`reading ${path} failed: ${read.stderr.slice(0, 200)}`));
  const stored = await put;
  return stored.size === entry.size;
}

/** Adopts one output as a file of the session: asked first (already a file after a crash?), staged if not. */
async function collectOne(ctx: ManagerContext, sandbox: OwnedSandbox, entry: OutputEntry): Promise<void> {
  const sessionId = sandbox.record.session_id as SessionId;
  const id = outputFileId(sessionId, entry.path, entry.size, entry.mtimeMs);
  const ask = { file_id: id, session_id: sessionId, path: entry.path, size_bytes: entry.size };
  const adopt = async () =>
    request(ctx.bus, OUTPUT_RPC.adopt, { ...ask, workspace_id: await workspaceOf(ctx, sessionId) });
  try {
    await adopt();
  } catch (error) {
    if (!isCorralError(error, "NOT_FOUND")) throw error;
    if (!(await stage(ctx, sandbox.record.container_id, id, entry))) return;
    await adopt();
  }
  await (await stagedStore(ctx)).delete(id);
}

async function collectNew(ctx: ManagerContext, sandbox: OwnedSandbox, seen: Set<string>): Promise<void> {
  const entries = await scanOutputs(ctx, sandbox);
  let collectedNow = 0;
  for (const entry of entries) {
    const version = `${entry.path}\0${entry.size}\0${entry.mtimeMs}`;
    if (seen.has(version)) continue;
    if (collectedNow++ >= SESSION_OUTPUTS_PER_SCAN_MAX) return; // the next tool run takes the rest
    if (seen.size >= SESSION_OUTPUTS_PER_SESSION_MAX) {
      ctx.logger.warn({ sandbox_id: sandbox.record.id }, "outputs limit reached; later outputs left out");
      return;
    }
    await collectOne(ctx, sandbox, entry);
    seen.add(version);
  }
}

/**
 * Collects what the agent wrote under /mnt/session/outputs as files scoped to the session, after each tool
 * run (before its result is answered, so a client that sees the session idle finds every output listed).
 * Each version of a file gets an id derived from it, so a collection repeated after a crash (or by the
 * retried tool call of a restarted manager) makes no second file. Failures are logged, never the tool's.
 */
export function collectOutputs(ctx: ManagerContext, sandbox: OwnedSandbox): Promise<void> {
  if (!ctx.runtime.rootExec) return Promise.resolve();
  let state = collected.get(sandbox);
  if (!state) {
    const seen = new Set<string>();
    const collect = serialRuns(() =>
      collectNew(ctx, sandbox, seen).catch((err: unknown) =>
        ctx.logger.warn(
          { err, sandbox_id: sandbox.record.id },
          "outputs not collected; the next tool run retries",
        ),
      ),
    );
    collected.set(sandbox, (state = { seen, collect }));
  }
  return state.collect();
}
