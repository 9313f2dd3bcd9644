import { z } from "zod";
import {
  AgentContentBlock,
  MAX_CONTENT_BLOCKS,
  ThreadContentBlock,
  ToolResultContentBlock,
} from "./content.js";
import { SessionThreadId, ToolInput, stored } from "./event-base.js";
import { EventId, ThreadId } from "./ids.js";

const ToolName = z.string().min(1).max(256);
const ToolResultContent = z.array(ToolResultContentBlock).max(MAX_CONTENT_BLOCKS).optional();
const ThreadContent = z.array(ThreadContentBlock).max(MAX_CONTENT_BLOCKS);
const AgentName = z.string().min(1).max(256);

/** `ask` holds the call until a `user.tool_confirmation` answers it; `deny` never runs it. */
export const EvaluatedPermission = z.enum(["allow", "ask", "deny"]);
export type EvaluatedPermission = z.infer<typeof EvaluatedPermission>;

export const AgentMessageInput = z.object({
  type: z.literal("agent.message"),
  content: z.array(AgentContentBlock).max(MAX_CONTENT_BLOCKS),
});
export type AgentMessageInput = z.infer<typeof AgentMessageInput>;

/** A progress signal only: thinking content is never stored. */
export const AgentThinkingInput = z.object({ type: z.literal("agent.thinking") });
export type AgentThinkingInput = z.infer<typeof AgentThinkingInput>;

export const AgentToolUseInput = z.object({
  type: z.literal("agent.tool_use"),
  name: ToolName,
  input: ToolInput,
  evaluated_permission: EvaluatedPermission.optional(),
  session_thread_id: SessionThreadId,
});
export type AgentToolUseInput = z.infer<typeof AgentToolUseInput>;

export const AgentToolResultInput = z.object({
  type: z.literal("agent.tool_result"),
  tool_use_id: EventId,
  content: ToolResultContent,
  is_error: z.boolean().nullish(),
});
export type AgentToolResultInput = z.infer<typeof AgentToolResultInput>;

export const AgentMcpToolUseInput = z.object({
  type: z.literal("agent.mcp_tool_use"),
  mcp_server_name: z.string().min(1).max(255),
  name: ToolName,
  input: ToolInput,
  evaluated_permission: EvaluatedPermission.optional(),
  session_thread_id: SessionThreadId,
});
export type AgentMcpToolUseInput = z.infer<typeof AgentMcpToolUseInput>;

export const AgentMcpToolResultInput = z.object({
  type: z.literal("agent.mcp_tool_result"),
  mcp_tool_use_id: EventId,
  content: ToolResultContent,
  is_error: z.boolean().nullish(),
});
export type AgentMcpToolResultInput = z.infer<typeof AgentMcpToolResultInput>;

export const AgentCustomToolUseInput = z.object({
  type: z.literal("agent.custom_tool_use"),
  name: ToolName,
  input: ToolInput,
  session_thread_id: SessionThreadId,
});
export type AgentCustomToolUseInput = z.infer<typeof AgentCustomToolUseInput>;

/**
 * The API's event carries no fields. Corral's harness also records what it compacted to, so a harness
 * that restarts rebuilds the context from the summary plus the events after `compacted_through_seq`
 * instead of replaying (and re-compacting) the whole log.
 */
export const AgentThreadContextCompactedInput = z.object({
  type: z.literal("agent.thread_context_compacted"),
  /** Position of the last event the summary covers. */
  compacted_through_seq: z.number().int().min(0),
  summary: z.string().max(1_000_000).optional(),
  pre_compaction_tokens: z.number().int().min(0).optional(),
});
export type AgentThreadContextCompactedInput = z.infer<typeof AgentThreadContextCompactedInput>;

export const AgentThreadMessageSentInput = z.object({
  type: z.literal("agent.thread_message_sent"),
  to_session_thread_id: ThreadId,
  /** Absent when sent to the primary agent. */
  to_agent_name: AgentName.nullish(),
  content: ThreadContent,
  /** Corral: the message's position in the receiving thread's log. */
  thread_seq: z.number().int().min(0).optional(),
});
export type AgentThreadMessageSentInput = z.infer<typeof AgentThreadMessageSentInput>;

export const AgentThreadMessageReceivedInput = z.object({
  type: z.literal("agent.thread_message_received"),
  from_session_thread_id: ThreadId,
  /** Absent when received from the primary agent. */
  from_agent_name: AgentName.nullish(),
  content: ThreadContent,
  /** Corral: the position in the sending thread's log of the idle (or end) this reply reports. */
  thread_seq: z.number().int().min(0).optional(),
});
export type AgentThreadMessageReceivedInput = z.infer<typeof AgentThreadMessageReceivedInput>;

/** The agent's events, in the order the type list shows them. A new event type is added here and nowhere else in the protocol. */
export const AGENT_EVENT_INPUTS = [
  AgentMessageInput,
  AgentThinkingInput,
  AgentToolUseInput,
  AgentToolResultInput,
  AgentMcpToolUseInput,
  AgentMcpToolResultInput,
  AgentCustomToolUseInput,
  AgentThreadContextCompactedInput,
  AgentThreadMessageSentInput,
  AgentThreadMessageReceivedInput,
] as const;

export const AgentMessageEvent = stored(AgentMessageInput);
export type AgentMessageEvent = z.infer<typeof AgentMessageEvent>;
export const AgentThinkingEvent = stored(AgentThinkingInput);
export type AgentThinkingEvent = z.infer<typeof AgentThinkingEvent>;
export const AgentToolUseEvent = stored(AgentToolUseInput);
export type AgentToolUseEvent = z.infer<typeof AgentToolUseEvent>;
export const AgentToolResultEvent = stored(AgentToolResultInput);
export type AgentToolResultEvent = z.infer<typeof AgentToolResultEvent>;
export const AgentMcpToolUseEvent = stored(AgentMcpToolUseInput);
export type AgentMcpToolUseEvent = z.infer<typeof AgentMcpToolUseEvent>;
export const AgentMcpToolResultEvent = stored(AgentMcpToolResultInput);
export type AgentMcpToolResultEvent = z.infer<typeof AgentMcpToolResultEvent>;
export const AgentCustomToolUseEvent = stored(AgentCustomToolUseInput);
export type AgentCustomToolUseEvent = z.infer<typeof AgentCustomToolUseEvent>;
export const AgentThreadContextCompactedEvent = stored(AgentThreadContextCompactedInput);
export type AgentThreadContextCompactedEvent = z.infer<typeof AgentThreadContextCompactedEvent>;
export const AgentThreadMessageSentEvent = stored(AgentThreadMessageSentInput);
export type AgentThreadMessageSentEvent = z.infer<typeof AgentThreadMessageSentEvent>;
export const AgentThreadMessageReceivedEvent = stored(AgentThreadMessageReceivedInput);
export type AgentThreadMessageReceivedEvent = z.infer<typeof AgentThreadMessageReceivedEvent>;
