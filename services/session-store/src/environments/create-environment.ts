import { newId, type EnvironmentCreateParams, type EnvironmentRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { claimEnvironmentName } from "./environment-name.js";
import { newRecordWorkspace } from "../workspace-scope.js";

export async function createEnvironment(
  state: StoreState,
  params: EnvironmentCreateParams,
): Promise<EnvironmentRecord> {
  const now = new Date().toISOString();
  const record = {
    id: newId("environment"),
    type: "environment",
    name: params.name,
    description: params.description ?? null,
    config: params.config,
    metadata: params.metadata ?? {},
    created_at: now,
    updated_at: now,
    archived_at: null,
    workspace_id: newRecordWorkspace(),
  } as EnvironmentRecord;
  await claimEnvironmentName(state, record.name, record.id);
  await state.buckets.environments.create(record.id, record);
  return record;
}
