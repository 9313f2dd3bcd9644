import {
  BUILTIN_TOOLS,
  BuiltinToolName,
  CorralError,
  TOOL_INPUTS,
  describeZodError,
  managerToolWaitMs,
  type ExecuteRequest,
  type ToolResult,
} from "@corral/protocol";
import { announceExecTrace } from "@corral/bus";
import { bounded, inSpan } from "@corral/tracing";
import type { ManagerContext } from "./context.js";
import { runWithExec } from "./fallback-tools.js";
import { markLost } from "./deaths.js";
import { holdersOf } from "./holders.js";
import type { OwnedSandbox } from "./sandboxes.js";
import { withTimeout } from "./with-timeout.js";
import { afterRepositories } from "./repo-clone.js";
import { collectOutputs } from "./session-outputs.js";
import { writeBackMemory } from "./memory-writeback-run.js";

/** An unknown tool or bad input is the model's mistake: an `is_error` result, never a failed call. */
function checkedInput(name: string, input: Record<string, unknown>): ToolResult | null {
  const tool = BuiltinToolName.safeParse(name);
  if (!tool.success)
    return {
      content: `unknown tool ${name}; the sandbox offers ${BUILTIN_TOOLS.join(", ")}`,
      is_error: true,
    };
  const parsed = TOOL_INPUTS[tool.data].safeParse(input);
  return parsed.success
    ? null
    : { content: `invalid input for ${name}: ${describeZodError(parsed.error)}`, is_error: true };
}

function assertUsable(entry: OwnedSandbox, req: ExecuteRequest): void {
  const { record } = entry;
  if (record.status !== "ready")
    throw new CorralError("SANDBOX_LOST", record.lost_reason ?? `sandbox ${record.id} is ${record.status}`);
  if (req.holder && !holdersOf(record).includes(req.holder))
    throw new CorralError("FORBIDDEN", `sandbox ${record.id} is not held by ${req.holder}`);
}

async function runTool(ctx: ManagerContext, entry: OwnedSandbox, req: ExecuteRequest): Promise<ToolResult> {
  const run = entry.channel
    ? entry.channel.call(req.name, req.input, req.tool_use_id)
    : runWithExec(ctx.runtime, entry.record.container_id, req.name, req.input);
  const result = await withTimeout(
    run,
    managerToolWaitMs(req.input),
    "the sandbox did not answer in time",
  ).catch(async (err: unknown) => {
    // A broken channel (e.g. a frame over the cap) loses this sandbox only; its record says why.
    if (err instanceof CorralError && err.code === "SANDBOX_LOST") await markLost(ctx, entry, err.message);
    throw err;
  });
  entry.lastUsedMs = Date.now();
  return result;
}

/** Runs the tool with the host's credential-proxy told its trace, so the egress it causes joins it. */
async function announced(ctx: ManagerContext, entry: OwnedSandbox, req: ExecuteRequest): Promise<ToolResult> {
  announceExecTrace(ctx.bus, ctx.config.hostId, entry.record.id, true);
  try {
    return await runTool(ctx, entry, req);
  } finally {
    announceExecTrace(ctx.bus, ctx.config.hostId, entry.record.id, false);
  }
}

/** Runs a built-in tool in the sandbox, at most once per tool_use_id (the ledger decides). */
export async function execute(
  ctx: ManagerContext,
  entry: OwnedSandbox,
  req: ExecuteRequest,
): Promise<ToolResult> {
  assertUsable(entry, req);
  const invalid = checkedInput(req.name, req.input);
  if (invalid) return invalid;
  entry.lastUsedMs = Date.now();
  // With an executor the sandbox keeps keyed results, so a call a dead manager left can be resumed.
  const attributes = bounded({
    "corral.sandbox_id": entry.record.id,
    "corral.tool.name": req.name,
    "corral.executor": entry.channel ? "channel" : "exec",
  });
  const run = () =>
    inSpan("sandbox executor", { attributes }, () =>
      afterRepositories(entry, () => announced(ctx, entry, req)),
    );
  const work = { run, resumable: entry.channel !== null };
  const result = await ctx.ledger.once(req.tool_use_id, entry.record.id, work);
  await collectOutputs(ctx, entry);
  return writeBackMemory(ctx, entry, result);
}
