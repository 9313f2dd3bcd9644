import type { EnvironmentId, EnvironmentRecord, EnvironmentUpdateParams } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { claimEnvironmentName, releaseEnvironmentName } from "./environment-name.js";
import { currentEnvironment } from "./get-environment.js";
import { refuseArchived, replaceRecord } from "../records/record-writes.js";

export async function updateEnvironment(
  state: StoreState,
  request: { environment_id: EnvironmentId; params: EnvironmentUpdateParams },
): Promise<EnvironmentRecord> {
  const { environment_id: environmentId, params } = request;
  const entry = await currentEnvironment(state, environmentId);
  refuseArchived(entry.value, `environment ${environmentId}`);
  if (params.name !== undefined && params.name !== entry.value.name)
    await claimEnvironmentName(state, params.name, environmentId);
  const next = { ...entry.value, ...params, updated_at: new Date().toISOString() } as EnvironmentRecord;
  const what = { key: environmentId, what: `environment ${environmentId}`, revision: entry.revision };
  await replaceRecord(state.buckets.environments, what, next);
  if (next.name !== entry.value.name) await releaseEnvironmentName(state, entry.value.name);
  return next;
}
