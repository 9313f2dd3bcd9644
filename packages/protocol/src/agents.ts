import { z } from "zod";
import { RecordTimestamps } from "./record-timestamps.js";
import { workspaceField } from "./workspaces.js";
import { HttpUrl } from "./primitives.js";
import { AgentId } from "./ids.js";
import { MetadataPatch } from "./metadata-patch.js";
import { notSupported, onlyDefault } from "./unsupported.js";

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

const EffortLevel = Effort.shape.type;

/** As the API takes it: `effort` also as a bare level, null for "not set" (the store normalises both). */
export const ModelConfigParams = z.object({
  id: ModelConfig.shape.id,
  effort: z.union([EffortLevel, Effort]).nullish(),
  speed: ModelConfig.shape.speed.nullable(),
  inference_geo: onlyDefault(
    z.null(),
    "an inference region (the model runs wherever the harness's endpoint is)",
  ).optional(),
});
export type ModelConfigParams = z.infer<typeof ModelConfigParams>;

/** A bare model id is shorthand for `{ id }`; the store normalises it, so records always hold a ModelConfig. */
export const AgentModelParam = z.union([z.string().min(1).max(256), ModelConfigParams]);
export type AgentModelParam = z.infer<typeof AgentModelParam>;

export const PermissionPolicy = z.discriminatedUnion(
  "type",
  [z.object({ type: z.literal("always_allow") }), z.object({ type: z.literal("always_ask") })],
  {
    error: (issue) =>
      (issue.input as { type?: unknown } | undefined)?.type === "auto"
        ? "not supported by Corral: the auto permission policy (use always_allow or always_ask)"
        : undefined,
  },
);
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

const webToolOption = () => notSupported("web tool options (web_fetch and web_search take none)").optional();

/** One tool's override; `type`, when given, repeats `name`. The web tools' options are refused by name. */
export const ToolsetToolConfig = ToolDefaultConfig.extend({
  name: ToolsetToolName,
  type: ToolsetToolName.optional(),
  allowed_domains: webToolOption(),
  blocked_domains: webToolOption(),
  max_content_tokens: webToolOption(),
  url_sources: webToolOption(),
  user_location: webToolOption(),
}).refine((c) => c.type === undefined || c.type === c.name, { message: "must equal name", path: ["type"] });

export const AgentToolset = z.object({
  type: z.literal("agent_toolset_20260401"),
  default_config: ToolDefaultConfig.nullish(),
  configs: z.array(ToolsetToolConfig).max(ToolsetToolName.options.length).optional(),
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
  type: z.literal("coordinator", {
    error: (issue) =>
      issue.input === "multiagent_20261001"
        ? "not supported by Corral: multiagent_20261001 (use coordinator)"
        : undefined,
  }),
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

/** Null and `{type: "service_account"}` mean the default, which is what Corral runs as; an AWS role is refused. */
const ExecutionIdentityParam = onlyDefault(
  z.strictObject({ type: z.literal("service_account") }).nullable(),
  "an execution identity other than the default service account",
);

export const AgentCreateParams = z.object({
  name: AgentName,
  model: AgentModelParam,
  ...AgentOptionalFields,
  execution_identity: ExecutionIdentityParam.optional(),
});
export type AgentCreateParams = z.infer<typeof AgentCreateParams>;

/**
 * Omitted fields are kept; arrays are replaced whole, and null clears them as it clears description, system
 * and multiagent; metadata is a patch (a string upserts a key, null deletes it).
 */
export const AgentUpdateParams = z.object({
  name: AgentName.optional(),
  model: AgentModelParam.optional(),
  ...AgentOptionalFields,
  tools: AgentTools.nullish(),
  mcp_servers: McpServers.nullish(),
  skills: Skills.nullish(),
  metadata: MetadataPatch.nullish(),
  execution_identity: ExecutionIdentityParam.optional(),
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
