import { z } from "zod";
import {
  TOOL_INPUTS,
  type AgentSnapshot,
  type BuiltinToolName,
  type McpTool,
  type PermissionPolicy,
} from "@corral/protocol";
import { mcpToolName } from "./context.js";

export interface ModelTool {
  name: string;
  description: string;
  input_schema: { type: "object"; [key: string]: unknown };
}

export interface ToolCatalog {
  tools: ModelTool[];
  kindOf(name: string): "builtin" | "custom" | "mcp" | "thread" | "unknown";
  permissionOf(name: string): "allow" | "ask";
  /** For an MCP tool's model-facing name: its server and its name on that server. */
  mcpTarget(name: string): { server: string; tool: string } | undefined;
}

const DESCRIPTIONS: Record<BuiltinToolName, string> = {
  bash: "Run a command in a persistent bash shell in the sandbox (cwd and exported variables persist). Returns exit code, stdout and stderr.",
  read: "Read a text file with numbered lines; view_range [start, end] is 1-indexed, end -1 for the end of the file.",
  write: "Write a whole file, creating parent directories.",
  edit: "Replace old_string with new_string in a file; old_string must match exactly once unless replace_all is true.",
  glob: "List files matching a glob pattern, newest first.",
  grep: "Search file contents with a regular expression; prints file:line:text.",
};

const schemas = new Map<BuiltinToolName, ModelTool["input_schema"]>();

/** Rendered once per process: JSON Schema generation is too slow for every session's first model call. */
function schemaOf(name: BuiltinToolName): ModelTool["input_schema"] {
  let schema = schemas.get(name);
  if (!schema) {
    const rendered = z.toJSONSchema(TOOL_INPUTS[name], { io: "input" }) as Record<string, unknown>;
    delete rendered.$schema;
    schema = { ...rendered, type: "object" };
    schemas.set(name, schema);
  }
  return schema;
}

/** A sub-agent a coordinator may start: `ref` is what `threads.create` takes (an agent id, or "self"). */
export interface RosterMember {
  name: string;
  ref: string;
  description: string | null;
}

export const THREAD_TOOLS = {
  start: "start_thread",
  message: "message_thread",
  list: "list_threads",
  giveBack: "return_sandbox",
} as const;

export const StartThreadInput = z.object({
  agent: z.string().min(1).max(256),
  task: z.string().min(1).max(100_000),
  sandbox: z.enum(["share", "transfer", "fresh"]).default("share"),
});
export const MessageThreadInput = z.object({
  thread_id: z.string().min(1).max(128),
  message: z.string().min(1).max(100_000),
});

function jsonSchema(schema: z.ZodType): ModelTool["input_schema"] {
  const rendered = z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;
  delete rendered.$schema;
  return { ...rendered, type: "object" };
}

function coordinatorTools(roster: readonly RosterMember[]): ModelTool[] {
  const names = roster.map((m) => `${m.name}${m.description ? ` (${m.description})` : ""}`).join("; ");
  return [
    {
      name: THREAD_TOOLS.start,
      description:
        `Start a sub-agent in a thread of its own, working on \`task\` in parallel with you. Agents: ${names}. ` +
        "`sandbox`: share yours (default; you both see the same files), transfer it (it becomes theirs until they return it), or fresh (their own). " +
        "Start several threads before waiting, then end your turn: their replies arrive as messages, together, once all of them have answered (a user message wakes you sooner).",
      input_schema: jsonSchema(StartThreadInput),
    },
    {
      name: THREAD_TOOLS.message,
      description: "Send a message to a thread you started; its reply arrives as a message.",
      input_schema: jsonSchema(MessageThreadInput),
    },
    {
      name: THREAD_TOOLS.list,
      description: "List your threads: their status and latest reply.",
      input_schema: { type: "object", properties: {} },
    },
  ];
}

const GIVE_BACK: ModelTool = {
  name: THREAD_TOOLS.giveBack,
  description:
    "Hand the sandbox you were given back to the agent that started you. You no longer hold it afterwards.",
  input_schema: { type: "object", properties: {} },
};

const policyOf = (policy: PermissionPolicy | null | undefined) =>
  policy?.type === "always_ask" ? "ask" : "allow";

/**
 * The tools an agent snapshot offers the model, and how each is run and permitted. `mcp` holds the tools
 * each MCP server listed (servers that could not be listed are simply absent).
 */
export function toolCatalog(
  agent: Pick<AgentSnapshot, "tools">,
  mcp: ReadonlyMap<string, McpTool[]> = new Map(),
  threading: { roster: readonly RosterMember[] | null; isThread: boolean } = {
    roster: null,
    isThread: false,
  },
): ToolCatalog {
  const tools: ModelTool[] = [];
  const kinds = new Map<string, "builtin" | "custom" | "mcp" | "thread">();
  const permissions = new Map<string, "allow" | "ask">();
  const targets = new Map<string, { server: string; tool: string }>();
  for (const entry of agent.tools) {
    if (entry.type === "agent_toolset_20260401") {
      for (const name of Object.keys(DESCRIPTIONS) as BuiltinToolName[]) {
        const config = entry.configs?.find((c) => c.name === name);
        if ((config?.enabled ?? entry.default_config?.enabled ?? true) === false) continue;
        tools.push({ name, description: DESCRIPTIONS[name], input_schema: schemaOf(name) });
        kinds.set(name, "builtin");
        permissions.set(name, policyOf(config?.permission_policy ?? entry.default_config?.permission_policy));
      }
    } else if (entry.type === "custom") {
      tools.push({
        name: entry.name,
        description: entry.description,
        input_schema: { ...entry.input_schema, type: "object" },
      });
      kinds.set(entry.name, "custom");
    } else if (entry.type === "mcp_toolset") {
      for (const tool of mcp.get(entry.mcp_server_name) ?? []) {
        const config = entry.configs?.find((c) => c.name === tool.name);
        if ((config?.enabled ?? entry.default_config?.enabled ?? true) === false) continue;
        const name = mcpToolName(entry.mcp_server_name, tool.name);
        tools.push({
          name,
          description: tool.description,
          input_schema: { ...tool.input_schema, type: "object" },
        });
        kinds.set(name, "mcp");
        targets.set(name, { server: entry.mcp_server_name, tool: tool.name });
        permissions.set(name, policyOf(config?.permission_policy ?? entry.default_config?.permission_policy));
      }
    }
  }
  const own = [
    ...(threading.roster?.length ? coordinatorTools(threading.roster) : []),
    ...(threading.isThread ? [GIVE_BACK] : []),
  ];
  for (const tool of own) {
    tools.push(tool);
    kinds.set(tool.name, "thread");
  }
  return {
    tools,
    kindOf: (name) => kinds.get(name) ?? "unknown",
    permissionOf: (name) => permissions.get(name) ?? "allow",
    mcpTarget: (name) => targets.get(name),
  };
}
