import type { EnvironmentRecord } from "@corral/protocol";
import { listBucketPage, type PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";

/** Newest first; `*` lists environment ids only (name claims are `name.<hex>`). */
export function listEnvironments(
  state: StoreState,
  query: { limit: number; page?: string | undefined; include_archived: boolean },
): Promise<PageOf<EnvironmentRecord>> {
  return listBucketPage(state.buckets.environments, {
    ...query,
    order: "desc",
    filter: "*",
    keep: (e) => query.include_archived || !e.archived_at,
  });
}
