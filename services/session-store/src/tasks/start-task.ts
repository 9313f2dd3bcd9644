import {
  CorralError,
  DEFAULT_WORKSPACE,
  TaskSubmission,
  describeZodError,
  type SessionCreateParams,
  type SessionEventInput,
  type SessionId,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { appendToLog } from "../append.js";
import { storeNewSession } from "../sessions/create-session.js";
import { claimTask, recordTask, taskIdOf } from "./task-record.js";
import { inWorkspace } from "../workspace-scope.js";

/** Creates the task's session under its claimed id; false (and the task rejected) when it cannot be. */
async function createTaskSession(
  state: StoreState,
  task: TaskSubmission,
  sessionId: SessionId,
): Promise<boolean> {
  const params = {
    agent: task.agent,
    environment_id: task.environment_id,
    title: task.title,
    metadata: task.metadata,
    vault_ids: task.vault_ids,
    task_id: task.task_id,
  } as SessionCreateParams;
  try {
    // A task acts for its own workspace (the default one when it names none): its agent, environment and
    // vaults must be of that workspace.
    await inWorkspace(task.workspace_id ?? DEFAULT_WORKSPACE, () =>
      storeNewSession(state, params, sessionId),
    );
    return true;
  } catch (error) {
    if (!(error instanceof CorralError) || error.retryable) throw error;
    const reason = { code: error.code, message: error.message };
    await recordTask(state, task.task_id, { state: "rejected", session_id: null, error: reason });
    return false;
  }
}

/**
 * Turns one submitted task into exactly one session: the task id claims a session id first, and every
 * later step is idempotent, so a redelivered task finishes the work. Invalid tasks are recorded as rejected.
 */
export async function startTask(state: StoreState, raw: unknown): Promise<void> {
  const parsed = TaskSubmission.safeParse(raw);
  if (!parsed.success) {
    const taskId = taskIdOf(raw);
    const message = describeZodError(parsed.error);
    state.logger.warn({ task_id: taskId, error: message }, "task rejected");
    if (taskId)
      await recordTask(state, taskId, { state: "rejected", error: { code: "INVALID_REQUEST", message } });
    return;
  }
  const task = parsed.data;
  const claimed = await claimTask(state, task.task_id);
  const sessionId = claimed.session_id as SessionId | null;
  if (claimed.state !== "accepted" || !sessionId) return;
  if (!(await createTaskSession(state, task, sessionId))) return;
  const content =
    typeof task.message === "string" ? [{ type: "text" as const, text: task.message }] : task.message;
  const message = { type: "user.message", content } as SessionEventInput;
  await appendToLog(state, { sessionId, events: [message], idempotencyKey: `task:${task.task_id}` });
  await recordTask(state, task.task_id, { state: "created", session_id: sessionId });
  state.logger.info({ task_id: task.task_id, session_id: sessionId }, "task started a session");
}
