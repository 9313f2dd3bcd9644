import type { MemoryStoreListRequest, MemoryStoreRecord } from "@corral/protocol";
import type { PageOf } from "@corral/bus";
import type { StoreState } from "../state.js";
import { listNewestFirst } from "../records/record-writes.js";
import { memoryBuckets } from "./memory-buckets.js";

/** Newest first; archived ones only with `include_archived`; `created_at` bounds as for agents. */
export async function listMemoryStores(
  state: StoreState,
  query: MemoryStoreListRequest,
): Promise<PageOf<MemoryStoreRecord>> {
  return listNewestFirst((await memoryBuckets(state)).stores, query);
}
