import { z } from "zod";
import { RecordTimestamps } from "./record-timestamps.js";
import { workspaceField } from "./workspaces.js";
import { HttpUrl } from "./primitives.js";
import { AgentId } from "./ids.js";

export const Metadata = z
  .record(z.string().min(1).max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, "metadata holds at most 16 keys");
export type Metadata = z.infer<typeof Metadata>;

export const Effort = z.object({ type: z.enum(["low", "medium", "high", "xhigh", "max"]) });
export type Effort = z.infer<typeof Effort>;

export const ModelConfig = z.object({
  id: z.string().min(1).max(256),
  effort: Effort.optional(),
  speed: z.enum(["standard", "fast"]).optional(),
});
export type ModelConfig = z.infer<typeof ModelConfig>;

/** A bare model id is shorthand for `{ id }`; the store normalises it, so records always hold a ModelConfig. */
export const AgentModelParam = z.union([z.string().min(1).max(256), ModelConfig]);
export type AgentModelParam = z.infer<typeof AgentModelParam>;

export const PermissionPolicy = z.discriminatedUnion("type", [
  z.object({ type: z.literal("always_allow") }),
  z.object({ type: z.literal("always_ask") }),
]);
export type PermissionPolicy = z.infer<typeof PermissionPolicy>;

export const ToolDefaultConfig = z.object({
  enabled: z.boolean().nullish(),
  permission_policy: PermissionPolicy.nullish(),
});
export type ToolDefaultConfig = z.infer<typeof ToolDefaultConfig>;

export const ToolsetToolName = z.enum([
  "bash",
  "read",
  "write",
  "edit",
  "glob",
  "grep",
  "web_fetch",
  "web_search",
]);
export type ToolsetToolName = z.infer<typeof ToolsetToolName>;

export const AgentToolset = z.object({
  type: z.literal("agent_toolset_20260401"),
  default_config: ToolDefaultConfig.nullish(),
  configs: z
    .array(ToolDefaultConfig.extend({ name: ToolsetToolName }))
    .max(ToolsetToolName.options.length)
    .optional(),
});
export type AgentToolset = z.infer<typeof AgentToolset>;

export const McpToolset = z.object({
  type: z.literal("mcp_toolset"),
  mcp_server_name: z.string().min(1).max(255),
  default_config: ToolDefaultConfig.nullish(),
  configs: z
    .array(ToolDefaultConfig.extend({ name: z.string().min(1).max(128) }))
    .max(256)
    .optional(),
});
export type McpToolset = z.infer<typeof McpToolset>;

/** A tool the client runs: the agent's call arrives as `agent.custom_tool_use`. */
export const CustomTool = z.object({
  type: z.literal("custom"),
  name: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "1-128 letters, digits, _ or -"),
  description: z.string().max(10_000),
  input_schema: z.looseObject({ type: z.literal("object") }),
});
export type CustomTool = z.infer<typeof CustomTool>;

export const AgentTool = z.discriminatedUnion("type", [AgentToolset, McpToolset, CustomTool]);
export type AgentTool = z.infer<typeof AgentTool>;

export const McpServer = z.object({ type: z.literal("url"), name: z.string().min(1).max(255), url: HttpUrl });
export type McpServer = z.infer<typeof McpServer>;

export const Skill = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("anthropic"),
    skill_id: z.string().min(1).max(128),
    version: z.string().max(64).nullish(),
  }),
  z.object({
    type: z.literal("custom"),
    skill_id: z.string().min(1).max(128),
    version: z.string().max(64).nullish(),
  }),
]);
export type Skill = z.infer<typeof Skill>;

/** An agent id alone means its latest version. */
export const RosterEntry = z.union([
  AgentId,
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("agent"), id: AgentId, version: z.number().int().min(1).optional() }),
    z.object({ type: z.literal("self") }),
    z.object({ type: z.literal("advisor"), model: z.string().min(1).max(256) }),
  ]),
]);
export type RosterEntry = z.infer<typeof RosterEntry>;

export const Multiagent = z.object({
  type: z.literal("coordinator"),
  agents: z.array(RosterEntry).min(1).max(20),
});
export type Multiagent = z.infer<typeof Multiagent>;

export const AgentTools = z.array(AgentTool).max(128);
export const McpServers = z.array(McpServer).max(20);
export const Skills = z.array(Skill).max(20);
export const SystemPrompt = z.string().max(100_000);

const AgentName = z.string().min(1).max(256);
const AgentDescription = z.string().max(2048);

/** The optional fields create and update both take, with the same types. */
const AgentOptionalFields = {
  description: AgentDescription.nullish(),
  system: SystemPrompt.nullish(),
  tools: AgentTools.optional(),
  mcp_servers: McpServers.optional(),
  skills: Skills.optional(),
  multiagent: Multiagent.nullish(),
  metadata: Metadata.optional(),
};

export const AgentCreateParams = z.object({
  name: AgentName,
  model: AgentModelParam,
  ...AgentOptionalFields,
});
export type AgentCreateParams = z.infer<typeof AgentCreateParams>;

/** Omitted fields are kept; arrays and metadata are replaced whole; null clears description, system, multiagent. */
export const AgentUpdateParams = z.object({
  name: AgentName.optional(),
  model: AgentModelParam.optional(),
  ...AgentOptionalFields,
  /** The version the caller last read; the update fails if the agent has moved on. */
  version: z.number().int().min(1).optional(),
});
export type AgentUpdateParams = z.infer<typeof AgentUpdateParams>;

export const AgentRecord = z.object({
  id: AgentId,
  type: z.literal("agent"),
  name: AgentName,
  description: AgentDescription.nullable(),
  model: ModelConfig,
  system: SystemPrompt.nullable(),
  tools: AgentTools,
  mcp_servers: McpServers,
  skills: Skills,
  multiagent: Multiagent.nullable(),
  metadata: Metadata,
  version: z.number().int().min(1),
  ...RecordTimestamps,
  ...workspaceField,
});
export type AgentRecord = z.infer<typeof AgentRecord>;

/** The agent as resolved when a session was created; later agent versions do not change it. */
export const AgentSnapshot = AgentRecord.pick({
  id: true,
  version: true,
  name: true,
  description: true,
  model: true,
  system: true,
  tools: true,
  mcp_servers: true,
  skills: true,
  multiagent: true,
});
export type AgentSnapshot = z.infer<typeof AgentSnapshot>;
