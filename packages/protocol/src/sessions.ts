import { z } from "zod";
import { RecordTimestamps } from "./record-timestamps.js";
import { workspaceField } from "./workspaces.js";
import {
  AgentModelParam,
  AgentSnapshot,
  AgentTools,
  McpServers,
  Metadata,
  Skills,
  SystemPrompt,
} from "./agents.js";
import { SessionStatus, StopReason } from "./events-session.js";
import { UserDefineOutcomeParams, UserMessageInput } from "./events-user.js";
import { AgentId, EnvironmentId, SessionId, VaultId } from "./ids.js";
import { Budget, Usage } from "./usage.js";
import { MetadataPatch } from "./metadata-patch.js";
import { notSupported } from "./unsupported.js";
import { SESSION_RESOURCES_MAX, SessionResourceParams, SessionResourceRecord } from "./session-resources.js";

const AgentVersion = z.number().int().min(1);
const Title = z.string().max(512);

/** An agent id (latest version), a pinned version, or a version with session-local replacements. */
export const SessionAgentParam = z.union([
  AgentId,
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("agent"), id: AgentId, version: AgentVersion.optional() }),
    z.object({
      type: z.literal("agent_with_overrides"),
      id: AgentId,
      version: AgentVersion.optional(),
      model: AgentModelParam.optional(),
      system: SystemPrompt.nullish(),
      tools: AgentTools.optional(),
      mcp_servers: McpServers.optional(),
      skills: Skills.optional(),
    }),
  ]),
]);
export type SessionAgentParam = z.infer<typeof SessionAgentParam>;

/** Files, repositories and memory stores to mount (session-resources.ts); the record keeps them resolved. */
export const SessionResource = SessionResourceRecord;
export type SessionResource = SessionResourceRecord;

/**
 * A record's resources. Sessions stored before Corral acted on resources kept whatever was sent, unchecked;
 * such entries (they were never mounted) are left out when the record is read, so the session stays readable.
 */
const storedResources = z.preprocess(
  (value) => (Array.isArray(value) ? value.filter((r) => SessionResourceRecord.safeParse(r).success) : value),
  z.array(SessionResourceRecord),
);

export const InitialEvent = z.discriminatedUnion("type", [UserMessageInput, UserDefineOutcomeParams]);
export type InitialEvent = z.infer<typeof InitialEvent>;

export const SessionCreateParams = z.object({
  agent: SessionAgentParam,
  environment_id: EnvironmentId,
  title: Title.nullish(),
  metadata: Metadata.optional(),
  resources: z.array(SessionResourceParams).max(SESSION_RESOURCES_MAX).optional(),
  vault_ids: z.array(VaultId).max(20).optional(),
  budget: Budget.optional(),
  initial_events: z.array(InitialEvent).max(50).optional(),
  /** Corral: the client's id for the task this session was created for (task intake). */
  task_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only")
    .optional(),
});
export type SessionCreateParams = z.infer<typeof SessionCreateParams>;

export { MetadataPatch };

/** Changes apply from the next turn; `agent` tools and MCP servers are replaced whole; metadata is a patch. */
export const SessionUpdateParams = z.object({
  title: Title.nullish(),
  metadata: MetadataPatch.nullish(),
  /** The API documents it as not yet supported and rejects it; so does Corral, by name. */
  vault_ids: notSupported("changing a session's vaults (they are set when it is created)").optional(),
  budget: Budget.nullish(),
  agent: z.object({ tools: AgentTools.optional(), mcp_servers: McpServers.optional() }).optional(),
});
export type SessionUpdateParams = z.infer<typeof SessionUpdateParams>;

export const SessionStats = z.object({
  /** Seconds spent running; what runtime is priced on. */
  active_seconds: z.number().min(0),
  duration_seconds: z.number().min(0),
});
export type SessionStats = z.infer<typeof SessionStats>;

export const SessionRecord = z.object({
  id: SessionId,
  type: z.literal("session"),
  status: SessionStatus,
  /** Why the session last went idle; null while it has not, or once it runs again. */
  stop_reason: StopReason.nullable(),
  title: Title.nullable(),
  agent: AgentSnapshot,
  environment_id: EnvironmentId,
  resources: storedResources,
  vault_ids: z.array(VaultId),
  metadata: Metadata,
  usage: Usage,
  stats: SessionStats,
  budget: Budget.nullable(),
  task_id: z.string().nullable(),
  event_count: z.number().int().min(0),
  ...RecordTimestamps,
  ...workspaceField,
});
export type SessionRecord = z.infer<typeof SessionRecord>;
