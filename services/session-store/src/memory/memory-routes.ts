import { MEMORY_RPC as M } from "@corral/protocol";
import { routeEntry as verb } from "../route-entry.js";
import { createMemoryStore } from "./create-memory-store.js";
import { getMemoryStore } from "./get-memory-store.js";
import { updateMemoryStore } from "./update-memory-store.js";
import { listMemoryStores } from "./list-memory-stores.js";
import { archiveMemoryStore } from "./archive-memory-store.js";
import { deleteMemoryStore } from "./delete-memory-store.js";
import { createMemory } from "./create-memory.js";
import { getMemory } from "./get-memory.js";
import { updateMemory } from "./update-memory.js";
import { listMemories } from "./list-memories.js";
import { deleteMemory } from "./delete-memory.js";
import { getMemoryVersion } from "./get-memory-version.js";
import { listMemoryVersions } from "./list-memory-versions.js";
import { redactMemoryVersion } from "./redact-memory-version.js";
import { snapshotMemoryStore } from "./snapshot-memory-store.js";
import { sessionWrite } from "./session-write.js";
import { requireUsableMemoryStore } from "./check-store.js";

/** Every memory store RPC the session-store serves, and the verb that answers it. */
export const MEMORY_ROUTES = [
  verb(M.storesCreate, createMemoryStore),
  verb(M.storesGet, getMemoryStore),
  verb(M.storesUpdate, updateMemoryStore),
  verb(M.storesList, listMemoryStores),
  verb(M.storesArchive, archiveMemoryStore),
  verb(M.storesDelete, deleteMemoryStore),
  verb(M.memoriesCreate, createMemory),
  verb(M.memoriesGet, getMemory),
  verb(M.memoriesUpdate, updateMemory),
  verb(M.memoriesList, listMemories),
  verb(M.memoriesDelete, deleteMemory),
  verb(M.versionsGet, getMemoryVersion),
  verb(M.versionsList, listMemoryVersions),
  verb(M.versionsRedact, redactMemoryVersion),
  verb(M.snapshot, snapshotMemoryStore),
  verb(M.sessionWrite, sessionWrite),
  verb(M.storeCheck, (s, p) => requireUsableMemoryStore(s, p.memory_store_id)),
];
