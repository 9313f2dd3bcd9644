import {
  SESSION_OUTPUTS_DIR,
  SESSION_OUTPUTS_PER_SCAN_MAX,
  SESSION_OUTPUT_MAX_BYTES,
} from "@corral/protocol";
import type { ManagerContext } from "./context.js";

/** One file found under the outputs folder: its path there, size and modification time. */
export interface OutputEntry {
  path: string;
  size: number;
  mtimeMs: number;
}

// Size, modification time and path of every regular file, NUL-separated (paths may hold anything else).
const SCAN = `cd ${SESSION_OUTPUTS_DIR} 2>/dev/null && find . -type f -printf '%s %T@ %P\\0' || true`;

function parse(line: string): OutputEntry | null {
  const match = /^(\d+) (\d+(?:\.\d+)?) (.+)$/s.exec(line);
  if (!match) return null;
  const path = match[3]!;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path) || path.length > 1024) return null;
  return { path, size: Number(match[1]), mtimeMs: Math.floor(Number(match[2]) * 1000) };
}

/**
 * The files under the sandbox's outputs folder worth collecting: at most SESSION_OUTPUTS_PER_SCAN_MAX,
 * none larger than SESSION_OUTPUT_MAX_BYTES (those are logged and left out), oldest first.
 */
export async function scanOutputs(ctx: ManagerContext, containerId: string): Promise<OutputEntry[]> {
  const found = await ctx.runtime.rootExec!(containerId, ["sh", "-c", SCAN], {
    timeoutMs: 30_000,
    asSandboxUser: true,
  });
  const entries = found.stdout
    .split("\0")
    .map(parse)
    .filter((e): e is OutputEntry => e !== null);
  const tooLarge = entries.filter((e) => e.size > SESSION_OUTPUT_MAX_BYTES);
  if (tooLarge.length)
    ctx.logger.warn({ paths: tooLarge.map((e) => e.path).slice(0, 10) }, "outputs too large left out");
  return entries
    .filter((e) => e.size <= SESSION_OUTPUT_MAX_BYTES)
    .sort((a, b) => a.mtimeMs - b.mtimeMs)
    .slice(0, SESSION_OUTPUTS_PER_SCAN_MAX);
}
