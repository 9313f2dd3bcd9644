import type { SessionResourceDeleted, SessionResourceRef } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { refuseArchived } from "../records/record-writes.js";
import { resourceIn } from "./get-resource.js";
import { changeSession } from "./stored-session.js";

/** Detaches a resource (and drops its sealed token); sandboxes provisioned from then on do not mount it. */
export async function deleteResource(
  state: StoreState,
  ref: SessionResourceRef,
): Promise<SessionResourceDeleted> {
  await changeSession(state, ref.session_id, (s) => {
    refuseArchived(s.record, `session ${s.record.id}`);
    resourceIn(s.record.resources, ref);
    const { [ref.resource_id]: _gone, ...resource_tokens } = s.resource_tokens;
    const resources = s.record.resources.filter((r) => r.id !== ref.resource_id);
    const record = { ...s.record, resources, updated_at: new Date().toISOString() };
    return { ...s, record, resource_tokens };
  });
  return { id: ref.resource_id, type: "session_resource_deleted" };
}
