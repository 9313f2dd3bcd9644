import {
  MEMORY_MOUNT_ROOT,
  memoryStoreSlug,
  type SessionResourceParams,
  type SessionResourceRecord,
} from "@corral/protocol";
import type { StoreState } from "../state.js";
import { requireUsableMemoryStore } from "../memory/check-store.js";

type MemoryParams = Extract<SessionResourceParams, { type: "memory_store" }>;
type Base = { id: `sesrsc_${string}`; created_at: string; updated_at: string };

/**
 * A memory store as attached: it must exist in the caller's workspace and not be archived; its name and
 * description are snapshotted now (later edits of the store do not change the attachment), as the API does.
 */
export async function resolveMemoryStore(
  state: StoreState,
  base: Base,
  params: MemoryParams,
): Promise<SessionResourceRecord> {
  const store = await requireUsableMemoryStore(state, params.memory_store_id);
  return {
    ...base,
    type: "memory_store",
    memory_store_id: params.memory_store_id,
    access: params.access ?? "read_write",
    description: store.description ?? "",
    instructions: params.instructions ?? null,
    mount_path: `${MEMORY_MOUNT_ROOT}/${memoryStoreSlug(store.name)}`,
    name: store.name,
  };
}
