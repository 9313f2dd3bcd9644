import type { EnvironmentRecord } from "@corral/protocol";
import type { PageOf } from "@corral/bus";
import { listNewestFirst } from "../records/record-writes.js";
import type { StoreState } from "../state.js";

/** Newest first; `*` lists environment ids only (name claims are `name.<hex>`). */
export function listEnvironments(
  state: StoreState,
  query: { limit: number; page?: string | undefined; include_archived: boolean },
): Promise<PageOf<EnvironmentRecord>> {
  return listNewestFirst(state.buckets.environments, query);
}
