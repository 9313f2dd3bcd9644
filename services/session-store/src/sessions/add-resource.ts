import type { FileResourceRecord, SessionResourceAddRequest } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { refuseArchived } from "../records/record-writes.js";
import { checkResourceSet, resolveResources } from "./resolve-resources.js";
import { changeSession, storedSession } from "./stored-session.js";

/**
 * `sessions.resources.add` (a file, as the API has it; the gateway checked it). It is mounted in sandboxes
 * provisioned from then on; a sandbox already running keeps the mounts it started with.
 */
export async function addResource(
  state: StoreState,
  request: SessionResourceAddRequest,
): Promise<FileResourceRecord> {
  refuseArchived((await storedSession(state, request.session_id)).record, `session ${request.session_id}`);
  const { records } = await resolveResources(state, [request.params]);
  const added = records[0] as FileResourceRecord;
  await changeSession(state, request.session_id, (s) => {
    refuseArchived(s.record, `session ${s.record.id}`);
    const resources = [...s.record.resources, added];
    checkResourceSet(resources);
    return { ...s, record: { ...s.record, resources, updated_at: added.updated_at } };
  });
  return added;
}
