import {
  applyMetadataPatch,
  type SessionEventInput,
  type SessionId,
  type SessionRecord,
  type SessionUpdateParams,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import type { StoredSession } from "../records/stored-records.js";
import { appendToLog } from "../append.js";
import { checkAgentDefinition } from "../agents/agent-definition.js";
import { changeSession } from "./stored-session.js";
import { refuseArchived } from "../records/record-writes.js";
import { getSession } from "./get-session.js";

/** The updated record, and into `changed` the fields that changed (what `session.updated` reports). */
function applyUpdate(s: StoredSession, params: SessionUpdateParams, changed: Record<string, unknown>) {
  refuseArchived(s.record, `session ${s.record.id}`);
  const record = { ...s.record, updated_at: new Date().toISOString() };
  if (params.title !== undefined) record.title = changed.title = params.title;
  if (params.metadata)
    record.metadata = changed.metadata = applyMetadataPatch(record.metadata, params.metadata);
  if (params.budget !== undefined) record.budget = changed.budget = params.budget;
  if (params.agent !== undefined) {
    record.agent = { ...record.agent, ...params.agent };
    checkAgentDefinition(record.agent);
    changed.agent = record.agent;
  }
  return { ...s, record };
}

export async function updateSession(
  state: StoreState,
  request: { session_id: SessionId; params: SessionUpdateParams },
): Promise<SessionRecord> {
  let changed: Record<string, unknown> = {};
  await changeSession(state, request.session_id, (s) => {
    changed = {};
    return applyUpdate(s, request.params, changed);
  });
  if (Object.keys(changed).length) {
    const event = { type: "session.updated", ...changed } as SessionEventInput;
    await appendToLog(state, { sessionId: request.session_id, events: [event] });
  }
  return getSession(state, request.session_id);
}
