import { EventId, OutcomeId } from "./ids.js";
import { z } from "zod";
import {
  MAX_CONTENT_BLOCKS,
  SystemContentBlock,
  ToolResultContentBlock,
  UserContentBlock,
} from "./content.js";
import { SessionThreadId, stored } from "./event-base.js";
import {} from "./primitives.js";

const ToolResultContent = z.array(ToolResultContentBlock).max(MAX_CONTENT_BLOCKS).optional();

export const UserMessageInput = z.object({
  type: z.literal("user.message"),
  content: z.array(UserContentBlock).min(1).max(MAX_CONTENT_BLOCKS),
});
export type UserMessageInput = z.infer<typeof UserMessageInput>;

/** Without `session_thread_id` it interrupts every thread. */
export const UserInterruptInput = z.object({
  type: z.literal("user.interrupt"),
  session_thread_id: SessionThreadId,
});
export type UserInterruptInput = z.infer<typeof UserInterruptInput>;

const confirmationFields = {
  type: z.literal("user.tool_confirmation"),
  /** The id (`sevt_…`) of the `agent.tool_use` / `agent.mcp_tool_use` event being answered. */
  tool_use_id: EventId,
  result: z.enum(["allow", "deny"]),
  /** Shown to the agent; only allowed with `deny`. */
  deny_message: z.string().max(10_000).nullish(),
};
const denyMessageOnlyWithDeny = (c: { result: "allow" | "deny"; deny_message?: string | null | undefined }) =>
  c.result === "deny" || c.deny_message == null;
const denyOnly = { message: "deny_message is only allowed when result is deny", path: ["deny_message"] };

// Clients never set `session_thread_id` on answers: the server routes them and records the thread.
export const UserToolConfirmationParams = z
  .object(confirmationFields)
  .refine(denyMessageOnlyWithDeny, denyOnly);
export type UserToolConfirmationParams = z.infer<typeof UserToolConfirmationParams>;

export const UserToolConfirmationInput = z
  .object({ ...confirmationFields, session_thread_id: SessionThreadId })
  .refine(denyMessageOnlyWithDeny, denyOnly);
export type UserToolConfirmationInput = z.infer<typeof UserToolConfirmationInput>;

const customResultFields = {
  type: z.literal("user.custom_tool_result"),
  /** The id (`sevt_…`) of the `agent.custom_tool_use` event being answered. */
  custom_tool_use_id: EventId,
  content: ToolResultContent,
  is_error: z.boolean().nullish(),
};

export const UserCustomToolResultParams = z.object(customResultFields);
export type UserCustomToolResultParams = z.infer<typeof UserCustomToolResultParams>;

export const UserCustomToolResultInput = z.object({
  ...customResultFields,
  session_thread_id: SessionThreadId,
});
export type UserCustomToolResultInput = z.infer<typeof UserCustomToolResultInput>;

const toolResultFields = {
  type: z.literal("user.tool_result"),
  /** The id (`sevt_…`) of the `agent.tool_use` event being answered. */
  tool_use_id: EventId,
  content: ToolResultContent,
  is_error: z.boolean().nullish(),
};

/** The result of a built-in tool that the client ran itself (self-hosted sandboxes). */
export const UserToolResultParams = z.object(toolResultFields);
export type UserToolResultParams = z.infer<typeof UserToolResultParams>;

export const UserToolResultInput = z.object({ ...toolResultFields, session_thread_id: SessionThreadId });
export type UserToolResultInput = z.infer<typeof UserToolResultInput>;

export const Rubric = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text"), content: z.string().min(1).max(262_144) }),
  z.object({ type: z.literal("file"), file_id: z.string().min(1).max(256) }),
]);
export type Rubric = z.infer<typeof Rubric>;

const outcomeFields = {
  type: z.literal("user.define_outcome"),
  description: z.string().min(1).max(100_000),
  rubric: Rubric,
  /** Evaluate-then-revise cycles before giving up; the API's default is 3. */
  max_iterations: z.number().int().min(1).max(20).nullish(),
};

export const UserDefineOutcomeParams = z.object(outcomeFields);
export type UserDefineOutcomeParams = z.infer<typeof UserDefineOutcomeParams>;

/**
 * `outcome_id` is the server's (`outc_…`), referenced by `span.outcome_evaluation_*`. It is optional here
 * because the log stores an input as given: whoever appends a client's outcome should assign it.
 */
export const UserDefineOutcomeInput = z.object({
  ...outcomeFields,
  outcome_id: OutcomeId.optional(),
});
export type UserDefineOutcomeInput = z.infer<typeof UserDefineOutcomeInput>;

/** Privileged context appended as a `role: "system"` turn for this and later turns. */
export const SystemMessageInput = z.object({
  type: z.literal("system.message"),
  content: z.array(SystemContentBlock).min(1).max(MAX_CONTENT_BLOCKS),
});
export type SystemMessageInput = z.infer<typeof SystemMessageInput>;

/** The user-side inputs (what a client or the store appends for one), in the order the type list shows them. A new event type is added here and nowhere else in the protocol. */
export const USER_EVENT_INPUTS = [
  UserMessageInput,
  UserInterruptInput,
  UserToolConfirmationInput,
  UserCustomToolResultInput,
  UserToolResultInput,
  UserDefineOutcomeInput,
  SystemMessageInput,
] as const;

/** What a client may send, one schema per type (answers without `session_thread_id`: the server routes them). */
export const CLIENT_EVENT_INPUTS = [
  UserMessageInput,
  UserInterruptInput,
  UserToolConfirmationParams,
  UserCustomToolResultParams,
  UserToolResultParams,
  UserDefineOutcomeParams,
  SystemMessageInput,
] as const;

export const UserMessageEvent = stored(UserMessageInput);
export type UserMessageEvent = z.infer<typeof UserMessageEvent>;
export const UserInterruptEvent = stored(UserInterruptInput);
export type UserInterruptEvent = z.infer<typeof UserInterruptEvent>;
export const UserToolConfirmationEvent = stored(UserToolConfirmationInput);
export type UserToolConfirmationEvent = z.infer<typeof UserToolConfirmationEvent>;
export const UserCustomToolResultEvent = stored(UserCustomToolResultInput);
export type UserCustomToolResultEvent = z.infer<typeof UserCustomToolResultEvent>;
export const UserToolResultEvent = stored(UserToolResultInput);
export type UserToolResultEvent = z.infer<typeof UserToolResultEvent>;
export const UserDefineOutcomeEvent = stored(UserDefineOutcomeInput);
export type UserDefineOutcomeEvent = z.infer<typeof UserDefineOutcomeEvent>;
export const SystemMessageEvent = stored(SystemMessageInput);
export type SystemMessageEvent = z.infer<typeof SystemMessageEvent>;
