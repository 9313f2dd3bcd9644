import { CorralError, type SessionResourceRecord, type SessionResourceUpdateRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { refuseArchived } from "../records/record-writes.js";
import { resourceIn } from "./get-resource.js";
import { changeSession } from "./stored-session.js";

/** `sessions.resources.update`: a repository's new token (sealed by the gateway) replaces the old one. */
export async function rotateResourceToken(
  state: StoreState,
  request: SessionResourceUpdateRequest,
): Promise<SessionResourceRecord> {
  let updated: SessionResourceRecord | undefined;
  await changeSession(state, request.session_id, (s) => {
    refuseArchived(s.record, `session ${s.record.id}`);
    const current = resourceIn(s.record.resources, request);
    if (current.type !== "github_repository")
      throw new CorralError(
        "INVALID_REQUEST",
        `resource ${current.id} is a ${current.type}: only github_repository resources take a new authorization_token`,
      );
    const at = new Date().toISOString();
    updated = { ...current, updated_at: at };
    const resources = s.record.resources.map((r) => (r.id === current.id ? updated! : r));
    const resource_tokens = { ...s.resource_tokens, [current.id]: request.sealed_token };
    return { ...s, record: { ...s.record, resources, updated_at: at }, resource_tokens };
  });
  return updated!;
}
