import {
  CorralError,
  type EnvironmentId,
  type EnvironmentRecord,
  type EnvironmentUpdateParams,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { claimEnvironmentName, releaseEnvironmentName } from "./environment-name.js";
import { currentEnvironment } from "./get-environment.js";

export async function updateEnvironment(
  state: StoreState,
  request: { environment_id: EnvironmentId; params: EnvironmentUpdateParams },
): Promise<EnvironmentRecord> {
  const { environment_id: environmentId, params } = request;
  const entry = await currentEnvironment(state, environmentId);
  if (entry.value.archived_at)
    throw new CorralError("ARCHIVED", `environment ${environmentId} is archived and read-only`);
  if (params.name !== undefined && params.name !== entry.value.name)
    await claimEnvironmentName(state, params.name, environmentId);
  const next = { ...entry.value, ...params, updated_at: new Date().toISOString() } as EnvironmentRecord;
  if ((await state.buckets.environments.replace(environmentId, next, entry.revision)) === null)
    throw new CorralError("CONFLICT", `environment ${environmentId} was changed concurrently; retry`);
  if (next.name !== entry.value.name) await releaseEnvironmentName(state, entry.value.name);
  return next;
}
