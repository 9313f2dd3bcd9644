import { CorralError, type SessionResourceRecord, type SessionResourceRef } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { storedSession } from "./stored-session.js";

export function resourceIn(resources: readonly SessionResourceRecord[], ref: SessionResourceRef) {
  const found = resources.find((r) => r.id === ref.resource_id);
  if (!found)
    throw new CorralError("NOT_FOUND", `resource ${ref.resource_id} not found in ${ref.session_id}`);
  return found;
}

export async function getResource(
  state: StoreState,
  ref: SessionResourceRef,
): Promise<SessionResourceRecord> {
  return resourceIn((await storedSession(state, ref.session_id)).record.resources, ref);
}
