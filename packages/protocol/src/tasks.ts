import { z } from "zod";
import { LogId } from "./ids.js";
import { SessionAgentParam } from "./sessions.js";
import { UserContentBlock } from "./content.js";
import { Metadata } from "./agents.js";
import { workspaceField } from "./workspaces.js";

/**
 * A task published by any client, in any language, to `corral.tasks.submit`. One session is created per
 * `task_id`, however often the task is published.
 */
export const TaskSubmission = z.object({
  task_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only"),
  agent: SessionAgentParam,
  environment_id: z.string().min(1).max(128),
  /** The first user message: plain text, or content blocks. */
  message: z.union([z.string().min(1).max(1_000_000), z.array(UserContentBlock).min(1).max(100)]),
  title: z.string().max(512).optional(),
  metadata: Metadata.optional(),
  vault_ids: z.array(z.string()).max(20).optional(),
  /** The workspace the session is made in (its agent, environment and vaults must be of it); default if absent. */
  ...workspaceField,
});
export type TaskSubmission = z.infer<typeof TaskSubmission>;

export const TaskState = z.enum(["accepted", "created", "rejected"]);
export type TaskState = z.infer<typeof TaskState>;

export const TaskRecord = z.object({
  task_id: z.string(),
  state: TaskState,
  session_id: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  received_at: z.string(),
  updated_at: z.string(),
});
export type TaskRecord = z.infer<typeof TaskRecord>;

export const WakeMessage = z.object({
  /** The log to run: a session's or a sub-agent thread's. */
  session_id: LogId,
  /** The event that asked for the wake; also the wake's dedup id. Absent on a liveness sweep's wake. */
  event_id: z.string().max(128).optional(),
  seq: z.number().int().min(0).optional(),
  /** Why: a stored event (the default), or a liveness sweep that found the log running without a live lease. */
  reason: z.enum(["event", "sweep"]).optional(),
});
export type WakeMessage = z.infer<typeof WakeMessage>;
