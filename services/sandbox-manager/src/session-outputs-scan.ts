import {
  SESSION_OUTPUTS_DIR,
  SESSION_OUTPUTS_PER_SESSION_MAX,
  SESSION_OUTPUT_MAX_BYTES,
} from "@corral/protocol";
import type { ManagerContext } from "./context.js";
import type { OwnedSandbox } from "./sandboxes.js";
import { withTimeout } from "./with-timeout.js";
import { outputScans } from "./metrics.js";

/** The executor's call that lists the outputs folder as the `find` below does (corral_exec.py). */
const SCAN_CALL = "corral.scan_outputs";

/** One file found under the outputs folder: its path there, size and modification time. */
export interface OutputEntry {
  path: string;
  size: number;
  mtimeMs: number;
}

// Size, modification time and path of every regular file, NUL-separated (paths may hold anything else).
const SCAN = `cd ${SESSION_OUTPUTS_DIR} 2>/dev/null && find . -type f -printf '%s %T@ %P\\0' || true`;

export function parseOutputLine(line: string): OutputEntry | null {
  const match = /^(\d+) (\d+(?:\.\d+)?) (.+)$/s.exec(line);
  if (!match) return null;
  const path = match[3]!;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path) || path.length > 1024) return null;
  // The listing comes from inside the sandbox: only a plain path below the outputs folder is taken.
  if (path.startsWith("/") || path.split("/").some((part) => part === "" || part === "." || part === ".."))
    return null;
  return { path, size: Number(match[1]), mtimeMs: Math.floor(Number(match[2]) * 1000) };
}

/** The listing from the sandbox's executor (one call on its channel), or null to scan with `find`. */
async function listedByExecutor(sandbox: OwnedSandbox): Promise<string | null> {
  // Behind another holder's tool still running on this sandbox the listing would wait for it: find it is.
  if (!sandbox.channel?.idle()) return null;
  const listed = await withTimeout(
    sandbox.channel.call(SCAN_CALL, {}),
    30_000,
    "outputs scan timed out",
  ).catch(() => null);
  // An executor started by an older manager does not know the call; a long listing is refused: find it is.
  return listed && !listed.is_error ? listed.content : null;
}

async function listedByFind(ctx: ManagerContext, containerId: string): Promise<string> {
  const found = await ctx.runtime.rootExec!(containerId, ["sh", "-c", SCAN], {
    timeoutMs: 30_000,
    asSandboxUser: true,
  });
  return found.stdout;
}

/**
 * The files under the sandbox's outputs folder worth collecting, oldest first: at most
 * SESSION_OUTPUTS_PER_SESSION_MAX, none larger than SESSION_OUTPUT_MAX_BYTES (those are logged and left
 * out). Listed by the sandbox's executor when it has one (a call on its channel, as the sandbox user, in a
 * few milliseconds), else by `find` in a `docker exec` (about 100 ms).
 */
export async function scanOutputs(ctx: ManagerContext, sandbox: OwnedSandbox): Promise<OutputEntry[]> {
  let listing = await listedByExecutor(sandbox);
  outputScans.inc({ by: listing === null ? "find" : "executor" });
  listing ??= await listedByFind(ctx, sandbox.record.container_id);
  const entries = listing
    .split("\0")
    .map(parseOutputLine)
    .filter((e): e is OutputEntry => e !== null);
  const tooLarge = entries.filter((e) => e.size > SESSION_OUTPUT_MAX_BYTES);
  if (tooLarge.length)
    ctx.logger.warn({ paths: tooLarge.map((e) => e.path).slice(0, 10) }, "outputs too large left out");
  return entries
    .filter((e) => e.size <= SESSION_OUTPUT_MAX_BYTES)
    .sort((a, b) => a.mtimeMs - b.mtimeMs)
    .slice(0, SESSION_OUTPUTS_PER_SESSION_MAX);
}
