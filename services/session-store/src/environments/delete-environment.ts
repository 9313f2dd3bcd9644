import type { EnvironmentId } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { releaseEnvironmentName } from "./environment-name.js";
import { currentEnvironment } from "./get-environment.js";

export async function deleteEnvironment(
  state: StoreState,
  environmentId: EnvironmentId,
): Promise<{ id: EnvironmentId; type: "environment_deleted" }> {
  const entry = await currentEnvironment(state, environmentId);
  await state.buckets.environments.delete(environmentId);
  await releaseEnvironmentName(state, entry.value.name);
  return { id: environmentId, type: "environment_deleted" };
}
