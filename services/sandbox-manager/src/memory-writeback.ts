import { request } from "@corral/bus";
import {
  MEMORY_CONTENT_MAX_BYTES,
  MEMORY_RPC,
  type MemoryWriteResult,
  type SessionId,
} from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import { readManifest, writeManifest, type MemoryManifest } from "./memory-manifest.js";
import { textInput } from "./docker-root-exec.js";
import { snapshot } from "./memory-mounts.js";

/** The most changed files written back after one tool run; the rest wait for the next. */
const CHANGES_PER_RUN_MAX = 100;

/** Every file under the mount with its sha256 (NUL-separated, names unescaped). */
async function currentFiles(ctx: ManagerContext, containerId: string, dir: string) {
  const script = `cd "$1" 2>/dev/null && find . -type f -exec sha256sum -z -- {} + || true`;
  const io = { timeoutMs: 60_000, asSandboxUser: true };
  const r = await ctx.runtime.rootExec!(containerId, ["sh", "-c", script, "sh", dir], io);
  const files = new Map<string, string>();
  for (const line of r.stdout.split("\0")) {
    const match = /^([0-9a-f]{64}) [ *]\.(\/.+)$/s.exec(line);
    if (match) files.set(match[2]!, match[1]!);
  }
  return files;
}

async function readText(ctx: ManagerContext, containerId: string, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const r = await ctx.runtime.rootExec!(
    containerId,
    ["head", "-c", String(MEMORY_CONTENT_MAX_BYTES + 1), "--", path],
    {
      onStdout: (c) => {
        chunks.push(c);
        size += c.length;
      },
      timeoutMs: 30_000,
      asSandboxUser: true,
    },
  );
  if (r.code !== 0) throw new Error(`cannot read ${path}`);
  if (size > MEMORY_CONTENT_MAX_BYTES) throw new Error(`larger than ${MEMORY_CONTENT_MAX_BYTES} bytes`);
  return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
}

function outcome(result: MemoryWriteResult): string | null {
  return result.type === "refused" ? result.error.message : null;
}

/** After a refused change: the file as the store holds it now (or gone), and the manifest with it. */
async function refresh(
  ctx: ManagerContext,
  target: { containerId: string; dir: string; sessionId: SessionId; manifest: MemoryManifest },
  path: string,
): Promise<void> {
  const current = (await snapshot(ctx, target.manifest.memory_store_id, target.sessionId)).find(
    (f) => f.path === path,
  );
  const file = `${target.dir}${path}`;
  // As the sandbox user: a symlink it left at the path must not lead a root write elsewhere.
  const script = current ? 'mkdir -p "$(dirname "$1")" && cat > "$1"' : 'rm -f "$1"';
  const stdin = current ? textInput(current.content) : null;
  await ctx.runtime.rootExec!(target.containerId, ["sh", "-c", script, "sh", file], {
    stdin,
    timeoutMs: 30_000,
    asSandboxUser: true,
  });
  if (current) target.manifest.files[path] = current.content_sha256;
  else delete target.manifest.files[path];
}

interface Change {
  path: string;
  sha: string | null;
}

/** One change written back: the manifest follows what the store now holds; a problem is returned. */
async function writeOne(
  ctx: ManagerContext,
  target: { containerId: string; dir: string; sessionId: SessionId; manifest: MemoryManifest },
  change: Change,
): Promise<string | null> {
  const { manifest } = target;
  const expected = manifest.files[change.path] ?? null;
  try {
    const content = change.sha
      ? await readText(ctx, target.containerId, `${target.dir}${change.path}`)
      : null;
    const body = {
      memory_store_id: manifest.memory_store_id,
      session_id: target.sessionId,
      path: change.path,
      content,
      expected_content_sha256: expected,
    };
    const problem = outcome(await request(ctx.bus, MEMORY_RPC.sessionWrite, body));
    if (problem) {
      await refresh(ctx, target, change.path);
      return `${problem} (the file now holds the store's current content)`;
    }
  } catch (error) {
    const gone = !change.sha && error instanceof Error && "code" in error && error.code === "NOT_FOUND";
    if (!gone) return error instanceof Error ? error.message : String(error);
  }
  if (change.sha) manifest.files[change.path] = change.sha;
  else delete manifest.files[change.path];
  return null;
}

/** What changed under the mount since the manifest: new or edited files, and deleted ones. */
function changesOf(manifest: MemoryManifest, now: Map<string, string>): Change[] {
  const changed: Change[] = [...now]
    .filter(([p, sha]) => manifest.files[p] !== sha && manifest.refused[p] !== sha)
    .map(([path, sha]) => ({ path, sha }));
  const deleted = Object.keys(manifest.files)
    .filter((p) => !now.has(p))
    .map((path) => ({ path, sha: null }));
  return [...changed, ...deleted].slice(0, CHANGES_PER_RUN_MAX);
}

/**
 * Writes back what the agent changed under one read_write memory mount, as versions attributed to the
 * session, each with the sha256 it started from as precondition. Returns the problems, one line each, for
 * the tool result: a change another session made first is refused and the model is told.
 */
export async function writeBackStore(
  ctx: ManagerContext,
  containerId: string,
  sessionId: SessionId,
  dir: string,
): Promise<string[]> {
  const slug = dir.slice(dir.lastIndexOf("/") + 1);
  const manifest = await readManifest(ctx, containerId, slug);
  if (!manifest || manifest.access !== "read_write") return [];
  const changes = changesOf(manifest, await currentFiles(ctx, containerId, dir));
  const problems: string[] = [];
  for (const change of changes) {
    const problem = await writeOne(ctx, { containerId, dir, sessionId, manifest }, change);
    if (problem) problems.push(`memory ${dir}${change.path} not saved: ${problem}`);
    if (problem && change.sha && manifest.files[change.path] !== change.sha)
      manifest.refused[change.path] = change.sha;
  }
  if (changes.length) await writeManifest(ctx, containerId, slug, manifest);
  return problems;
}
