import { CorralError, type MemoryStoreId, type MemoryStoreRecord } from "@corral/protocol";
import type { StoreState } from "../state.js";
import { currentMemoryStore } from "./get-memory-store.js";

/**
 * The store a new session may attach: it exists in the caller's workspace (NOT_FOUND else) and is not
 * archived (ARCHIVED else). Call it inside the request, so the caller's workspace applies.
 */
export async function requireUsableMemoryStore(
  state: StoreState,
  storeId: MemoryStoreId,
): Promise<MemoryStoreRecord> {
  const store = (await currentMemoryStore(state, storeId)).value;
  if (store.archived_at)
    throw new CorralError(
      "ARCHIVED",
      `memory store ${storeId} is archived and cannot be attached to a session`,
    );
  return store;
}
