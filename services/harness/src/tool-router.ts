import type { SessionEventInput } from "@corral/protocol";
import type { ToolCall } from "./state.js";
import type { ToolCatalog } from "./tool-catalog.js";
import { append, text, type Run } from "./run-context.js";
import { runSandboxTool } from "./sandbox-tools.js";
import { runMcpTool } from "./mcp-tools.js";
import { runThreadTool } from "./thread-tools.js";
import { timeToolRun } from "./tool-metrics.js";

/**
 * One kind of tool: runs a call and says what to append for it (null: the run was interrupted or is
 * stopping, and nothing is appended — the call stays open and is decided on again).
 */
export type ToolRoute = (run: Run, call: ToolCall) => Promise<SessionEventInput[] | null>;

const answer = (call: ToolCall, content: string): SessionEventInput[] => [
  { type: "agent.tool_result", tool_use_id: call.id, content: text(content), is_error: true },
];

const unknownTool: ToolRoute = async (_run, call) => answer(call, `Unknown tool ${call.name}`);

/** Where each kind of tool call goes: the one table of tool routes. */
export const TOOL_ROUTES: Record<ReturnType<ToolCatalog["kindOf"]>, ToolRoute> = {
  builtin: runSandboxTool,
  mcp: runMcpTool,
  thread: runThreadTool,
  // Custom tools are the client's to run (`decide` waits for `user.custom_tool_result`); one that reaches
  // the router was named as something else, and is unknown here.
  custom: unknownTool,
  unknown: unknownTool,
};

/** A call's kind as routed: denied, or its kind (the call's own for mcp and custom, else the catalog's). */
export function routeKindOf(run: Run, call: ToolCall): keyof typeof TOOL_ROUTES | "denied" {
  if (call.permission === "deny" || call.confirmation?.result === "deny") return "denied";
  if (call.kind === "mcp" || call.kind === "custom") return call.kind;
  return run.catalog.kindOf(call.name);
}

/** The route of a call: denied calls are answered as such, the others by their kind. */
export function routeOf(run: Run, call: ToolCall): ToolRoute {
  const kind = routeKindOf(run, call);
  return kind === "denied" ? deny : TOOL_ROUTES[kind];
}

const deny: ToolRoute = async (_run, call) => {
  const reason = call.confirmation?.deny_message ? `: ${call.confirmation.deny_message}` : "";
  return answer(call, `The user denied this tool call${reason}`);
};

/** Runs one tool call by its route and appends what it answered. */
export async function route(run: Run, call: ToolCall): Promise<void> {
  const ran = timeToolRun(routeKindOf(run, call), call.name);
  const events = await routeOf(run, call)(run, call);
  ran();
  if (events) await append(run, events);
}
