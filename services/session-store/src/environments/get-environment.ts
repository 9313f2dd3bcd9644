import { CorralError, type EnvironmentId, type EnvironmentRecord } from "@corral/protocol";
import type { Versioned } from "@corral/bus";
import type { StoreState } from "../state.js";
import { requireVisible } from "../workspace-scope.js";

export async function currentEnvironment(
  state: StoreState,
  environmentId: EnvironmentId,
): Promise<Versioned<EnvironmentRecord>> {
  const entry = await state.buckets.environments.get(environmentId);
  if (!entry) throw new CorralError("NOT_FOUND", `environment ${environmentId} not found`);
  requireVisible(entry.value, `environment ${environmentId}`);
  return entry;
}

export async function getEnvironment(
  state: StoreState,
  environmentId: EnvironmentId,
): Promise<EnvironmentRecord> {
  return (await currentEnvironment(state, environmentId)).value;
}
