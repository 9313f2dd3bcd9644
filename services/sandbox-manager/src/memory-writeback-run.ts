import type { SessionId, ToolResult } from "@corral/protocol";
import { serialRuns } from "@corral/bus";
import type { ManagerContext } from "./context.js";
import type { OwnedSandbox } from "./sandboxes.js";
import { writeBackStore } from "./memory-writeback.js";

/** Per sandbox: its write-backs, one at a time (callers arriving during one share the next). */
const writeBacks = new WeakMap<OwnedSandbox, () => Promise<string[]>>();

function startWriteBacks(ctx: ManagerContext, sandbox: OwnedSandbox, stores: Promise<string[]>) {
  const writeBack = serialRuns(() =>
    writeBackAll(ctx, sandbox, stores).catch((err: unknown) => {
      ctx.logger.warn(
        { err, sandbox_id: sandbox.record.id },
        "memory not written back; the next tool run retries",
      );
      return [];
    }),
  );
  writeBacks.set(sandbox, writeBack);
  return writeBack;
}

/**
 * The memory folders provisioning mounted in a sandbox (none, mostly): its write-backs start from them
 * instead of listing the sandbox's manifests, a `docker exec` on its first tool call.
 */
export function knowMemoryMounts(ctx: ManagerContext, sandbox: OwnedSandbox, dirs: string[]): void {
  startWriteBacks(ctx, sandbox, Promise.resolve(dirs));
}

/** The memory mounts of a sandbox, from the manifests its provisioning left (so a restarted manager finds them). */
async function mountedStores(ctx: ManagerContext, containerId: string): Promise<string[]> {
  const r = await ctx.runtime.rootExec!(
    containerId,
    ["sh", "-c", "ls -1 /mnt/memory/.corral 2>/dev/null || true"],
    {
      timeoutMs: 30_000,
    },
  );
  return r.stdout
    .split("\n")
    .filter((name) => name.endsWith(".json"))
    .map((name) => `/mnt/memory/${name.slice(0, -".json".length)}`);
}

async function writeBackAll(
  ctx: ManagerContext,
  sandbox: OwnedSandbox,
  stores: Promise<string[]>,
): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of await stores) {
    const sessionId = sandbox.record.session_id as SessionId;
    problems.push(...(await writeBackStore(ctx, sandbox.record.container_id, sessionId, dir)));
  }
  return problems;
}

/**
 * After a tool run: what the agent changed under its read_write memory mounts is written back. A change
 * that could not be saved (another session changed the memory first, the store was archived, the text too
 * large) makes the tool result an error that says so, so the model sees it.
 */
export async function writeBackMemory(
  ctx: ManagerContext,
  sandbox: OwnedSandbox,
  result: ToolResult,
): Promise<ToolResult> {
  if (!ctx.runtime.rootExec) return result;
  let writeBack = writeBacks.get(sandbox);
  if (!writeBack) {
    // Not provisioned by this process (adopted after a restart): its manifests say what is mounted.
    const stores = mountedStores(ctx, sandbox.record.container_id).catch(() => []);
    writeBack = startWriteBacks(ctx, sandbox, stores);
  }
  const problems = await writeBack();
  if (problems.length === 0) return result;
  return { content: `${result.content}\n\n${problems.join("\n")}`, is_error: true };
}
