import { CorralError, type EnvironmentId } from "@corral/protocol";
import type { StoreState } from "../state.js";

/** Names are unique (the API answers 409 on a duplicate): a `name.<hex>` key claims one. */
const nameKey = (name: string) => `name.${Buffer.from(name, "utf8").toString("hex")}`;

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
