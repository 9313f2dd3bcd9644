import { CredentialId, EventId, ThreadId, VaultId } from "./ids.js";
import { z } from "zod";
import { AgentSnapshot, Metadata } from "./agents.js";
import { stored } from "./event-base.js";
import {} from "./primitives.js";
import { Budget, Usage } from "./usage.js";

export const SessionStatus = z.enum(["rescheduling", "running", "idle", "terminated"]);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Why a session (or thread) went idle. An interrupted turn ends with `end_turn`. */
export const StopReason = z.discriminatedUnion("type", [
  z.object({ type: z.literal("end_turn") }),
  /** The events the agent waits on; answering only some re-emits idle with the rest. */
  z.object({ type: z.literal("requires_action"), event_ids: z.array(EventId).min(1).max(1000) }),
  z.object({ type: z.literal("retries_exhausted") }),
  z.object({ type: z.literal("budget_reached") }),
]);
export type StopReason = z.infer<typeof StopReason>;

/** `retrying`: the server retries, wait. `exhausted`: the turn is dead, session idles. `terminal`: session terminates. */
export const RetryStatus = z.object({ type: z.enum(["retrying", "exhausted", "terminal"]) });
export type RetryStatus = z.infer<typeof RetryStatus>;

export const SessionErrorType = z.enum([
  "unknown_error",
  "model_overloaded_error",
  "model_rate_limited_error",
  "model_request_failed_error",
  "mcp_connection_failed_error",
  "mcp_authentication_failed_error",
  "billing_error",
  "credential_host_unreachable_error",
  "tool_use_limit_reached_error",
  "compaction_limit_reached_error",
]);
export type SessionErrorType = z.infer<typeof SessionErrorType>;

/** One shape for every error type; the MCP and credential ids are set on the types they concern. */
export const SessionError = z.object({
  type: SessionErrorType,
  message: z.string().max(10_000),
  retry_status: RetryStatus,
  mcp_server_name: z.string().max(255).optional(),
  credential_id: CredentialId.optional(),
  vault_id: VaultId.optional(),
});
export type SessionError = z.infer<typeof SessionError>;

const ThreadFields = { session_thread_id: ThreadId, agent_name: z.string().min(1).max(256) };

export const SessionStatusRunningInput = z.object({ type: z.literal("session.status_running") });
export type SessionStatusRunningInput = z.infer<typeof SessionStatusRunningInput>;

export const SessionStatusIdleInput = z.object({
  type: z.literal("session.status_idle"),
  stop_reason: StopReason,
});
export type SessionStatusIdleInput = z.infer<typeof SessionStatusIdleInput>;

/** A transient failure; the session will run again by itself. */
export const SessionStatusRescheduledInput = z.object({ type: z.literal("session.status_rescheduled") });
export type SessionStatusRescheduledInput = z.infer<typeof SessionStatusRescheduledInput>;

export const SessionStatusTerminatedInput = z.object({ type: z.literal("session.status_terminated") });
export type SessionStatusTerminatedInput = z.infer<typeof SessionStatusTerminatedInput>;

/** Not a status: check `error.retry_status` to learn whether the session recovers. */
export const SessionErrorInput = z.object({ type: z.literal("session.error"), error: SessionError });
export type SessionErrorInput = z.infer<typeof SessionErrorInput>;

export const SessionDeletedInput = z.object({ type: z.literal("session.deleted") });
export type SessionDeletedInput = z.infer<typeof SessionDeletedInput>;

/** Only the fields that changed; they apply from the next turn. */
export const SessionUpdatedInput = z.object({
  type: z.literal("session.updated"),
  agent: AgentSnapshot.optional(),
  budget: Budget.nullish(),
  metadata: Metadata.optional(),
  title: z.string().max(512).nullish(),
});
export type SessionUpdatedInput = z.infer<typeof SessionUpdatedInput>;

/** A snapshot of the cumulative usage, emitted just before each `session.status_idle`. */
export const SessionUsageInput = z.object({
  type: z.literal("session.usage"),
  usage: Usage,
  budget: Budget.nullish(),
});
export type SessionUsageInput = z.infer<typeof SessionUsageInput>;

export const SessionThreadCreatedInput = z.object({
  type: z.literal("session.thread_created"),
  ...ThreadFields,
});
export type SessionThreadCreatedInput = z.infer<typeof SessionThreadCreatedInput>;

export const SessionThreadStatusRunningInput = z.object({
  type: z.literal("session.thread_status_running"),
  ...ThreadFields,
});
export type SessionThreadStatusRunningInput = z.infer<typeof SessionThreadStatusRunningInput>;

export const SessionThreadStatusIdleInput = z.object({
  type: z.literal("session.thread_status_idle"),
  ...ThreadFields,
  stop_reason: StopReason,
});
export type SessionThreadStatusIdleInput = z.infer<typeof SessionThreadStatusIdleInput>;

export const SessionThreadStatusRescheduledInput = z.object({
  type: z.literal("session.thread_status_rescheduled"),
  ...ThreadFields,
});
export type SessionThreadStatusRescheduledInput = z.infer<typeof SessionThreadStatusRescheduledInput>;

export const SessionThreadStatusTerminatedInput = z.object({
  type: z.literal("session.thread_status_terminated"),
  ...ThreadFields,
});
export type SessionThreadStatusTerminatedInput = z.infer<typeof SessionThreadStatusTerminatedInput>;

/** The session's events, in the order the type list shows them. A new event type is added here and nowhere else in the protocol. */
export const SESSION_EVENT_INPUTS = [
  SessionStatusRunningInput,
  SessionStatusIdleInput,
  SessionStatusRescheduledInput,
  SessionStatusTerminatedInput,
  SessionErrorInput,
  SessionDeletedInput,
  SessionUpdatedInput,
  SessionUsageInput,
  SessionThreadCreatedInput,
  SessionThreadStatusRunningInput,
  SessionThreadStatusIdleInput,
  SessionThreadStatusRescheduledInput,
  SessionThreadStatusTerminatedInput,
] as const;

export const SessionStatusRunningEvent = stored(SessionStatusRunningInput);
export type SessionStatusRunningEvent = z.infer<typeof SessionStatusRunningEvent>;
export const SessionStatusIdleEvent = stored(SessionStatusIdleInput);
export type SessionStatusIdleEvent = z.infer<typeof SessionStatusIdleEvent>;
export const SessionStatusRescheduledEvent = stored(SessionStatusRescheduledInput);
export type SessionStatusRescheduledEvent = z.infer<typeof SessionStatusRescheduledEvent>;
export const SessionStatusTerminatedEvent = stored(SessionStatusTerminatedInput);
export type SessionStatusTerminatedEvent = z.infer<typeof SessionStatusTerminatedEvent>;
export const SessionErrorEvent = stored(SessionErrorInput);
export type SessionErrorEvent = z.infer<typeof SessionErrorEvent>;
export const SessionDeletedEvent = stored(SessionDeletedInput);
export type SessionDeletedEvent = z.infer<typeof SessionDeletedEvent>;
export const SessionUpdatedEvent = stored(SessionUpdatedInput);
export type SessionUpdatedEvent = z.infer<typeof SessionUpdatedEvent>;
export const SessionUsageEvent = stored(SessionUsageInput);
export type SessionUsageEvent = z.infer<typeof SessionUsageEvent>;
export const SessionThreadCreatedEvent = stored(SessionThreadCreatedInput);
export type SessionThreadCreatedEvent = z.infer<typeof SessionThreadCreatedEvent>;
export const SessionThreadStatusRunningEvent = stored(SessionThreadStatusRunningInput);
export type SessionThreadStatusRunningEvent = z.infer<typeof SessionThreadStatusRunningEvent>;
export const SessionThreadStatusIdleEvent = stored(SessionThreadStatusIdleInput);
export type SessionThreadStatusIdleEvent = z.infer<typeof SessionThreadStatusIdleEvent>;
export const SessionThreadStatusRescheduledEvent = stored(SessionThreadStatusRescheduledInput);
export type SessionThreadStatusRescheduledEvent = z.infer<typeof SessionThreadStatusRescheduledEvent>;
export const SessionThreadStatusTerminatedEvent = stored(SessionThreadStatusTerminatedInput);
export type SessionThreadStatusTerminatedEvent = z.infer<typeof SessionThreadStatusTerminatedEvent>;
