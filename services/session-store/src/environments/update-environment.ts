import {
  applyMetadataPatch,
  updatedEnvironmentConfig,
  type EnvironmentId,
  type EnvironmentRecord,
  type EnvironmentUpdateParams,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { claimEnvironmentName, releaseEnvironmentName } from "./environment-name.js";
import { currentEnvironment } from "./get-environment.js";
import { refuseArchived, replaceRecord } from "../records/record-writes.js";

/**
 * Omitted or null fields are kept (a null description clears it), so are the networking and packages a new
 * config omits; metadata is patched ("" deletes too).
 */
function applyUpdate(current: EnvironmentRecord, params: EnvironmentUpdateParams): EnvironmentRecord {
  return {
    ...current,
    ...(params.name != null && { name: params.name }),
    ...(params.description !== undefined && { description: params.description }),
    config: updatedEnvironmentConfig(current.config, params.config),
    metadata: applyMetadataPatch(current.metadata, params.metadata, { emptyDeletes: true }),
    updated_at: new Date().toISOString(),
  };
}

export async function updateEnvironment(
  state: StoreState,
  request: { environment_id: EnvironmentId; params: EnvironmentUpdateParams },
): Promise<EnvironmentRecord> {
  const { environment_id: environmentId, params } = request;
  const entry = await currentEnvironment(state, environmentId);
  refuseArchived(entry.value, `environment ${environmentId}`);
  const next = applyUpdate(entry.value, params);
  if (next.name !== entry.value.name) await claimEnvironmentName(state, next.name, environmentId);
  const what = { key: environmentId, what: `environment ${environmentId}`, revision: entry.revision };
  await replaceRecord(state.buckets.environments, what, next);
  if (next.name !== entry.value.name) await releaseEnvironmentName(state, entry.value.name);
  return next;
}
