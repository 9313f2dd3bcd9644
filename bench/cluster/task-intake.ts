import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { publishRaw, request, retrying, type Bus } from "@corral/bus";
import { STORE_RPC, SUBJECTS } from "@corral/protocol";

export interface TaskLag {
  /** When it was first published (epoch ms). */
  publishedAt: number;
  /** ms from the first publish attempt to the PubAck (retried, with the same task id, as a client should). */
  storedMs: number;
  /** ms from the first publish attempt until `tasks.get` shows its session made (null: not within 60 s). */
  sessionMs: number | null;
}

/** Publishes until JetStream acknowledges: a PubAck means stored, anything else means retry, same id. */
async function publishTask(bus: Bus, body: string, taskId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    try {
      // Short attempts, as a client should make them: a publish to a stream with no leader is not
      // answered at all, and the next attempt lands right after the election.
      await publishRaw(
        bus,
        SUBJECTS.tasksSubmit,
        body,
        { "Nats-Msg-Id": `task:${taskId}` },
        { timeoutMs: 2000 },
      );
      return;
    } catch (error) {
      if (Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}

async function sessionMade(bus: Bus, taskId: string, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    const task = await request(bus, STORE_RPC.tasksGet, { task_id: taskId }, { timeoutMs: 2000 }).catch(
      () => null,
    );
    if (task?.state === "created") return true;
    await sleep(100);
  }
  return false;
}

/** One task through `corral.tasks.submit`, timed from its first publish to its session existing. */
export async function timeTask(bus: Bus, agentId: string, environmentId: string): Promise<TaskLag> {
  const taskId = `bench-${randomBytes(6).toString("hex")}`;
  const body = JSON.stringify({
    task_id: taskId,
    agent: agentId,
    environment_id: environmentId,
    message: `quick task ${taskId}`,
  });
  const t0 = Date.now();
  await publishTask(bus, body, taskId);
  const storedMs = Date.now() - t0;
  const made = await sessionMade(bus, taskId, t0 + 60_000);
  return { publishedAt: t0, storedMs, sessionMs: made ? Date.now() - t0 : null };
}

/** An agent and an environment for the tasks to name (retried: a fresh cluster may still elect leaders). */
export async function taskTarget(bus: Bus): Promise<[string, string]> {
  const agent = await retrying(
    () => request(bus, STORE_RPC.agentsCreate, { name: "bench-tasks", model: "claude-test" }),
    { deadlineMs: 30_000 },
  );
  const name = `bench-tasks-${randomBytes(4).toString("hex")}`;
  const env = await retrying(() => request(bus, STORE_RPC.environmentsCreate, { name }), {
    deadlineMs: 30_000,
  });
  return [agent.id, env.id];
}
