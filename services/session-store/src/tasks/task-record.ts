import { CorralError, newId, type SessionId, type TaskRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";

const TASK_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** The task id of a submission that did not parse, when it has a usable one (to record the rejection under). */
export function taskIdOf(raw: unknown): string | null {
  if (typeof raw !== "object" || raw === null || !("task_id" in raw)) return null;
  const id = (raw as { task_id: unknown }).task_id;
  return typeof id === "string" && TASK_ID.test(id) ? id : null;
}

function freshTask(taskId: string, sessionId: SessionId | null): TaskRecord {
  const now = new Date().toISOString();
  return {
    task_id: taskId,
    state: "accepted",
    session_id: sessionId,
    error: null,
    received_at: now,
    updated_at: now,
  };
}

/** Records a task's progress (creating its record if need be). */
export async function recordTask(
  state: StoreState,
  taskId: string,
  patch: Partial<TaskRecord>,
): Promise<void> {
  const current = await state.buckets.tasks.get(taskId);
  const base = current?.value ?? freshTask(taskId, null);
  await state.buckets.tasks.put(taskId, { ...base, ...patch, updated_at: new Date().toISOString() });
}

/** Claims a session id for the task, or returns the claim an earlier delivery made. */
export async function claimTask(state: StoreState, taskId: string): Promise<TaskRecord> {
  const fresh = freshTask(taskId, newId("session"));
  if ((await state.buckets.tasks.create(taskId, fresh)) !== null) return fresh;
  const existing = await state.buckets.tasks.get(taskId);
  if (!existing) throw new CorralError("UNAVAILABLE", "task claim vanished; retry");
  return existing.value;
}

/** `tasks.get`. */
export async function getTask(state: StoreState, taskId: string): Promise<TaskRecord> {
  const entry = await state.buckets.tasks.get(taskId);
  if (!entry) throw new CorralError("NOT_FOUND", `task ${taskId} not found`);
  return entry.value;
}
