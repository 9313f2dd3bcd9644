import {
  MEMORY_RPC,
  MemoryStoreCreateParams,
  MemoryStoreId,
  MemoryStoreRecord,
  MemoryStoreUpdateParams,
} from "@corral/protocol";
import { topLevelResource } from "./resource.js";
import { CreatedAtQuery, PageQuery } from "./schemas.js";
import { MEMORY_ROUTES } from "./memories.js";
import { MEMORY_VERSION_ROUTES } from "./memory-versions.js";

const stores = topLevelResource("memory_stores", "memory_store_id", MemoryStoreId, MemoryStoreRecord);

/** Memory stores, their memories and their memories' versions (`client.beta.memoryStores`). */
export const MEMORY_STORE_ROUTES = [
  stores.create("Create a memory store", MemoryStoreCreateParams, MEMORY_RPC.storesCreate),
  stores.list(
    "List memory stores (`include_archived`; `created_at[gte|lte]` on the store's creation)",
    PageQuery.extend({ created_at: CreatedAtQuery }),
    MEMORY_RPC.storesList,
  ),
  stores.retrieve("Get a memory store", MEMORY_RPC.storesGet),
  stores.update(
    "Update a memory store (null keeps a field; metadata is a patch: null deletes a key)",
    MemoryStoreUpdateParams,
    MEMORY_RPC.storesUpdate,
  ),
  stores.archive("Archive a memory store (permanent: it becomes read-only)", MEMORY_RPC.storesArchive),
  stores.delete("Delete a memory store with its memories and versions", MEMORY_RPC.storesDelete),
  ...MEMORY_ROUTES,
  ...MEMORY_VERSION_ROUTES,
];
