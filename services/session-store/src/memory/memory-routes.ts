import {
  MEMORY_RPC as M,
  STORE_QUEUE,
  type RpcDef,
  type RpcParsedRequest,
  type RpcResponse,
} from "@corral/protocol";
import { serve } from "@corral/bus";
import type { StoreState } from "../state.js";
import type { Route } from "../routes.js";
import { inCallerWorkspace } from "../caller-workspace.js";
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

type Handler<D extends RpcDef> = (state: StoreState, request: RpcParsedRequest<D>) => Promise<RpcResponse<D>>;

/** Served like the store's other RPCs: in the caller's workspace, by any replica of the queue group. */
function route<D extends RpcDef>(def: D, handler: Handler<D>): Route {
  return {
    subject: def.subject,
    serve: (state) =>
      serve(state.bus, def, (request, msg) => inCallerWorkspace(state, msg, () => handler(state, request)), {
        queue: STORE_QUEUE,
      }),
  };
}

/** Every memory store RPC the session-store serves. */
export const MEMORY_ROUTES: readonly Route[] = [
  route(M.storesCreate, createMemoryStore),
  route(M.storesGet, getMemoryStore),
  route(M.storesUpdate, updateMemoryStore),
  route(M.storesList, listMemoryStores),
  route(M.storesArchive, archiveMemoryStore),
  route(M.storesDelete, deleteMemoryStore),
  route(M.memoriesCreate, createMemory),
  route(M.memoriesGet, getMemory),
  route(M.memoriesUpdate, updateMemory),
  route(M.memoriesList, listMemories),
  route(M.memoriesDelete, deleteMemory),
  route(M.versionsGet, getMemoryVersion),
  route(M.versionsList, listMemoryVersions),
  route(M.versionsRedact, redactMemoryVersion),
  route(M.snapshot, snapshotMemoryStore),
  route(M.sessionWrite, sessionWrite),
  route(M.storeCheck, (s, p) => requireUsableMemoryStore(s, p.memory_store_id)),
];
