import { CredentialId, EventId, OutcomeId, SandboxId, ThreadId, VaultId } from "./ids.js";
import { z } from "zod";
import { stored } from "./event-base.js";
import { HostId } from "./hosts.js";
import {} from "./primitives.js";
import { ModelUsage } from "./usage.js";

const OutcomeFields = {
  outcome_id: OutcomeId,
  /** 0-based revision cycle. */
  iteration: z.number().int().min(0).max(20),
};
const Host = z.string().min(1).max(300);
const HttpMethod = z.string().min(1).max(16);

export const OutcomeEvaluationResult = z.enum([
  "satisfied",
  "needs_revision",
  "max_iterations_reached",
  "failed",
  "interrupted",
]);
export type OutcomeEvaluationResult = z.infer<typeof OutcomeEvaluationResult>;

export const SpanModelRequestStartInput = z.object({
  type: z.literal("span.model_request_start"),
  /** Corral: the last position the request's context was built from (events after it were not seen). */
  context_through_seq: z.number().int().min(-1).optional(),
});
export type SpanModelRequestStartInput = z.infer<typeof SpanModelRequestStartInput>;

export const SpanModelRequestEndInput = z.object({
  type: z.literal("span.model_request_end"),
  model_request_start_id: EventId,
  is_error: z.boolean(),
  model_usage: ModelUsage,
});
export type SpanModelRequestEndInput = z.infer<typeof SpanModelRequestEndInput>;

export const SpanOutcomeEvaluationStartInput = z.object({
  type: z.literal("span.outcome_evaluation_start"),
  ...OutcomeFields,
});
export type SpanOutcomeEvaluationStartInput = z.infer<typeof SpanOutcomeEvaluationStartInput>;

/** A heartbeat while the grader runs, so a stuck evaluation can be told from a slow one. */
export const SpanOutcomeEvaluationOngoingInput = z.object({
  type: z.literal("span.outcome_evaluation_ongoing"),
  ...OutcomeFields,
});
export type SpanOutcomeEvaluationOngoingInput = z.infer<typeof SpanOutcomeEvaluationOngoingInput>;

export const SpanOutcomeEvaluationEndInput = z.object({
  type: z.literal("span.outcome_evaluation_end"),
  ...OutcomeFields,
  outcome_evaluation_start_id: EventId,
  result: OutcomeEvaluationResult,
  explanation: z.string().max(100_000),
  usage: ModelUsage,
});
export type SpanOutcomeEvaluationEndInput = z.infer<typeof SpanOutcomeEvaluationEndInput>;

// Corral's own spans below: sandboxes are provisioned lazily and egress goes through Corral's proxy, and
// both are worth seeing in the timeline. API clients that switch on `type` ignore types they don't know.

export const SpanSandboxProvisionStartInput = z.object({
  type: z.literal("span.sandbox_provision_start"),
  sandbox_id: SandboxId.optional(),
});
export type SpanSandboxProvisionStartInput = z.infer<typeof SpanSandboxProvisionStartInput>;

export const SpanSandboxProvisionEndInput = z.object({
  type: z.literal("span.sandbox_provision_end"),
  /** Absent when provisioning failed before a sandbox existed. */
  sandbox_id: SandboxId.optional(),
  is_error: z.boolean(),
  error_message: z.string().max(10_000).optional(),
  /** The Docker host (its sandbox-manager's `CORRAL_HOST_ID`) the sandbox runs on; absent in older logs. */
  host: HostId.optional().describe(
    "Corral extension (the reference has no sandbox spans): the Docker host, its sandbox-manager's " +
      "CORRAL_HOST_ID, the sandbox runs on. Absent when provisioning failed and in logs written before it.",
  ),
});
export type SpanSandboxProvisionEndInput = z.infer<typeof SpanSandboxProvisionEndInput>;

/** The session's sandbox died (killed, out of memory, host gone); the next built-in tool call provisions a new one. */
export const SpanSandboxLostInput = z.object({
  type: z.literal("span.sandbox_lost"),
  sandbox_id: SandboxId,
  reason: z.string().max(10_000),
});
export type SpanSandboxLostInput = z.infer<typeof SpanSandboxLostInput>;

/** The egress proxy substituted a vault credential into a request; the secret itself is never logged. */
export const SpanCredentialUseInput = z.object({
  type: z.literal("span.credential_use"),
  credential_id: CredentialId,
  vault_id: VaultId,
  host: Host,
  method: HttpMethod,
  /** The upstream HTTP status, or 0 when no response arrived. */
  status: z.number().int().min(0).max(999),
});
export type SpanCredentialUseInput = z.infer<typeof SpanCredentialUseInput>;

export const SpanEgressBlockedInput = z.object({
  type: z.literal("span.egress_blocked"),
  host: Host,
  method: HttpMethod,
  reason: z.string().min(1).max(1000),
  credential_id: CredentialId.optional(),
});
export type SpanEgressBlockedInput = z.infer<typeof SpanEgressBlockedInput>;

/**
 * A sandbox changed hands between the primary thread and a sub-agent's thread, recorded in both logs.
 * `direction` says what the log's own thread did: `in`, it now holds the sandbox; `out`, it gave it
 * (`share` out keeps it). `peer_thread_id` is the other side; null means the primary thread.
 */
export const SpanSandboxHandoffInput = z.object({
  type: z.literal("span.sandbox_handoff"),
  sandbox_id: SandboxId,
  mode: z.enum(["share", "transfer", "return"]),
  direction: z.enum(["in", "out"]),
  peer_thread_id: ThreadId.nullable(),
});
export type SpanSandboxHandoffInput = z.infer<typeof SpanSandboxHandoffInput>;

/** The span events, in the order the type list shows them. A new event type is added here and nowhere else in the protocol. */
export const SPAN_EVENT_INPUTS = [
  SpanModelRequestStartInput,
  SpanModelRequestEndInput,
  SpanOutcomeEvaluationStartInput,
  SpanOutcomeEvaluationOngoingInput,
  SpanOutcomeEvaluationEndInput,
  SpanSandboxProvisionStartInput,
  SpanSandboxProvisionEndInput,
  SpanSandboxLostInput,
  SpanCredentialUseInput,
  SpanEgressBlockedInput,
  SpanSandboxHandoffInput,
] as const;

export const SpanModelRequestStartEvent = stored(SpanModelRequestStartInput);
export type SpanModelRequestStartEvent = z.infer<typeof SpanModelRequestStartEvent>;
export const SpanModelRequestEndEvent = stored(SpanModelRequestEndInput);
export type SpanModelRequestEndEvent = z.infer<typeof SpanModelRequestEndEvent>;
export const SpanOutcomeEvaluationStartEvent = stored(SpanOutcomeEvaluationStartInput);
export type SpanOutcomeEvaluationStartEvent = z.infer<typeof SpanOutcomeEvaluationStartEvent>;
export const SpanOutcomeEvaluationOngoingEvent = stored(SpanOutcomeEvaluationOngoingInput);
export type SpanOutcomeEvaluationOngoingEvent = z.infer<typeof SpanOutcomeEvaluationOngoingEvent>;
export const SpanOutcomeEvaluationEndEvent = stored(SpanOutcomeEvaluationEndInput);
export type SpanOutcomeEvaluationEndEvent = z.infer<typeof SpanOutcomeEvaluationEndEvent>;
export const SpanSandboxProvisionStartEvent = stored(SpanSandboxProvisionStartInput);
export type SpanSandboxProvisionStartEvent = z.infer<typeof SpanSandboxProvisionStartEvent>;
export const SpanSandboxProvisionEndEvent = stored(SpanSandboxProvisionEndInput);
export type SpanSandboxProvisionEndEvent = z.infer<typeof SpanSandboxProvisionEndEvent>;
export const SpanSandboxLostEvent = stored(SpanSandboxLostInput);
export type SpanSandboxLostEvent = z.infer<typeof SpanSandboxLostEvent>;
export const SpanCredentialUseEvent = stored(SpanCredentialUseInput);
export type SpanCredentialUseEvent = z.infer<typeof SpanCredentialUseEvent>;
export const SpanEgressBlockedEvent = stored(SpanEgressBlockedInput);
export type SpanEgressBlockedEvent = z.infer<typeof SpanEgressBlockedEvent>;
export const SpanSandboxHandoffEvent = stored(SpanSandboxHandoffInput);
export type SpanSandboxHandoffEvent = z.infer<typeof SpanSandboxHandoffEvent>;
