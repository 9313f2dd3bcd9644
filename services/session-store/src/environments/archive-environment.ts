import { CorralError, type EnvironmentId, type EnvironmentRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { currentEnvironment } from "./get-environment.js";

export async function archiveEnvironment(
  state: StoreState,
  environmentId: EnvironmentId,
): Promise<EnvironmentRecord> {
  const entry = await currentEnvironment(state, environmentId);
  if (entry.value.archived_at) return entry.value;
  const now = new Date().toISOString();
  const next = { ...entry.value, archived_at: now, updated_at: now };
  if ((await state.buckets.environments.replace(environmentId, next, entry.revision)) === null)
    throw new CorralError("CONFLICT", `environment ${environmentId} was changed concurrently; retry`);
  return next;
}
