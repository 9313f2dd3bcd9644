import {
  CorralError,
  newId,
  type AgentSnapshot,
  type EnvironmentId,
  type SessionCreateParams,
  type SessionId,
  type SessionRecord,
  type SessionResourceRecord,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredSession } from "../records/stored-records.js";
import { appendToLog } from "../append.js";
import { getEnvironment } from "../environments/get-environment.js";
import { resolveSessionAgent } from "./resolve-agent.js";
import { getSession } from "./get-session.js";
import { storedSession } from "./stored-session.js";
import { newRecordWorkspace } from "../workspace-scope.js";
import { checkSessionVaults } from "./check-vaults.js";
import { checkResourceSet, resolveResources } from "./resolve-resources.js";

const NO_USAGE = {
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};

function newSessionRecord(
  id: SessionId,
  params: SessionCreateParams,
  agent: AgentSnapshot,
  environmentId: EnvironmentId,
  resources: SessionResourceRecord[],
): SessionRecord {
  const now = new Date().toISOString();
  return {
    id,
    type: "session",
    status: "idle",
    stop_reason: null,
    title: params.title ?? null,
    agent,
    environment_id: environmentId,
    resources,
    vault_ids: params.vault_ids ?? [],
    metadata: params.metadata ?? {},
    usage: NO_USAGE,
    stats: { active_seconds: 0, duration_seconds: 0 },
    budget: params.budget ?? null,
    task_id: params.task_id ?? null,
    event_count: 0,
    created_at: now,
    updated_at: now,
    archived_at: null,
    workspace_id: newRecordWorkspace(),
  } as SessionRecord;
}

/**
 * Stores a new session record. With `sessionId` (a task's claimed id) a session already stored under it is
 * returned as it is, so a redelivered task creates it once.
 */
export async function storeNewSession(
  state: StoreState,
  params: SessionCreateParams,
  sessionId?: SessionId,
): Promise<SessionRecord> {
  const agent = await resolveSessionAgent(state, params.agent);
  const environment = await getEnvironment(state, params.environment_id);
  if (environment.archived_at) throw new CorralError("ARCHIVED", `environment ${environment.id} is archived`);
  await checkSessionVaults(state, params.vault_ids);
  // Files are checked by their owner, the gateway, before it calls; a task's session has no such check.
  if (sessionId && params.resources?.some((r) => r.type === "file"))
    throw new CorralError("INVALID_REQUEST", "resources: a task cannot attach files (use sessions.create)");
  const resources = await resolveResources(state, params.resources ?? []);
  checkResourceSet(resources.records);
  const id = sessionId ?? newId("session");
  const record = newSessionRecord(id, params, agent, environment.id, resources.records);
  const fresh: StoredSession = {
    record,
    status_seq: -1,
    usage_seq: -1,
    running_since: null,
    threads_usage: {},
    threads_running: [],
    resource_tokens: resources.tokens,
  };
  if ((await state.buckets.sessions.create(record.id, fresh)) === null) {
    if (sessionId) return (await storedSession(state, sessionId)).record;
    throw new CorralError("CONFLICT", "session id collision; retry");
  }
  return record;
}

/** `sessions.create`: the record, then its initial events (under one key, so a retry appends them once). */
export async function createSession(state: StoreState, params: SessionCreateParams): Promise<SessionRecord> {
  const record = await storeNewSession(state, params);
  if (params.initial_events?.length)
    await appendToLog(state, {
      sessionId: record.id,
      events: params.initial_events,
      idempotencyKey: "initial",
    });
  return getSession(state, record.id);
}
