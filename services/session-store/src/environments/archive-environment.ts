import type { EnvironmentId, EnvironmentRecord } from "@corral/protocol";
import { archivedNow, replaceRecord } from "../records/record-writes.js";
import type { StoreState } from "../state.js";
import { currentEnvironment } from "./get-environment.js";

export async function archiveEnvironment(
  state: StoreState,
  environmentId: EnvironmentId,
): Promise<EnvironmentRecord> {
  const entry = await currentEnvironment(state, environmentId);
  if (entry.value.archived_at) return entry.value;
  const what = { key: environmentId, what: `environment ${environmentId}`, revision: entry.revision };
  return replaceRecord(state.buckets.environments, what, archivedNow(entry.value));
}
