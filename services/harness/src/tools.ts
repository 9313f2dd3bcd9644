import { z } from "zod";
import { TOOL_INPUTS, type AgentSnapshot, type BuiltinToolName, type PermissionPolicy } from "@corral/protocol";

export interface ModelTool {
  name: string;
  description: string;
  input_schema: { type: "object"; [key: string]: unknown };
}

export interface ToolCatalog {
  tools: ModelTool[];
  kindOf(name: string): "builtin" | "custom" | "unknown";
  permissionOf(name: string): "allow" | "ask";
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

const policyOf = (policy: PermissionPolicy | null | undefined) => (policy?.type === "always_ask" ? "ask" : "allow");

/** The tools an agent snapshot offers the model, and how each is run and permitted. */
export function toolCatalog(agent: Pick<AgentSnapshot, "tools">): ToolCatalog {
  const tools: ModelTool[] = [];
  const kinds = new Map<string, "builtin" | "custom">();
  const permissions = new Map<string, "allow" | "ask">();
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
      tools.push({ name: entry.name, description: entry.description, input_schema: { ...entry.input_schema, type: "object" } });
      kinds.set(entry.name, "custom");
    }
  }
  return {
    tools,
    kindOf: (name) => kinds.get(name) ?? "unknown",
    permissionOf: (name) => permissions.get(name) ?? "allow",
  };
}
