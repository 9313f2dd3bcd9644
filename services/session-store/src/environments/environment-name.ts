import { CorralError, DEFAULT_WORKSPACE, type EnvironmentId } from "@corral/protocol";
import { newRecordWorkspace } from "../workspace-scope.js";
import type { StoreState } from "../state.js";

/** The API answers 409 on a duplicate name: a `name.<hex>` key claims one. */
const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");
/** Names are unique within a workspace (the default workspace keeps the keys it had before workspaces). */
function nameKey(name: string): string {
  const workspace = newRecordWorkspace();
  return workspace === DEFAULT_WORKSPACE ? `name.${hex(name)}` : `name.${hex(workspace)}.${hex(name)}`;
}

export async function claimEnvironmentName(
  state: StoreState,
  name: string,
  environmentId: EnvironmentId,
): Promise<void> {
  const names = state.buckets.environmentNames;
  if ((await names.create(nameKey(name), environmentId)) !== null) return;
  const ownerId = (await names.get(nameKey(name)))?.value ?? null;
  // A claim whose environment never got stored (its creator died) or was deleted is free again.
  if (ownerId && ownerId !== environmentId && (await state.buckets.environments.get(ownerId)))
    throw new CorralError("ALREADY_EXISTS", `an environment named ${JSON.stringify(name)} exists`);
  await names.put(nameKey(name), environmentId);
}

export async function releaseEnvironmentName(state: StoreState, name: string): Promise<void> {
  await state.buckets.environmentNames.delete(nameKey(name));
}
