import type { SessionId, ToolResult } from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import type { OwnedSandbox } from "./sandboxes.js";
import { writeBackStore } from "./memory-writeback.js";

/** Per sandbox: its memory mounts (found once), and the write-back under way (one at a time). */
interface MemoryState {
  stores: Promise<string[]>;
  running: Promise<string[]>;
}
const states = new WeakMap<OwnedSandbox, MemoryState>();

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
  state: MemoryState,
): Promise<string[]> {
  const problems: string[] = [];
  for (const dir of await state.stores) {
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
  let state = states.get(sandbox);
  if (!state) {
    const stores = mountedStores(ctx, sandbox.record.container_id).catch(() => []);
    states.set(sandbox, (state = { stores, running: Promise.resolve([]) }));
  }
  const current = state;
  current.running = current.running.then(() =>
    writeBackAll(ctx, sandbox, current).catch((err: unknown) => {
      ctx.logger.warn(
        { err, sandbox_id: sandbox.record.id },
        "memory not written back; the next tool run retries",
      );
      return [];
    }),
  );
  const problems = await current.running;
  if (problems.length === 0) return result;
  return { content: `${result.content}\n\n${problems.join("\n")}`, is_error: true };
}
