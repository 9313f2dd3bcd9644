import { z } from "zod";
import {
  ApiKeyId,
  MEMORY_RPC,
  MemoryId,
  MemoryStoreId,
  MemoryVersion,
  MemoryVersionId,
  MemoryVersionOperation,
  MemoryView,
  SessionId,
} from "@corral/protocol";
import { route } from "./route.js";
import { CreatedAtQuery, Cursor, Limit, page } from "./schemas.js";
import { apiActor } from "./memory-actor.js";

const VersionPath = z.strictObject({ memory_store_id: MemoryStoreId, memory_version_id: MemoryVersionId });
const at = { tag: "memory_stores" };
const collection = "/v1/memory_stores/:memory_store_id/memory_versions";
const item = `${collection}/:memory_version_id`;

const ListQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  api_key_id: ApiKeyId.optional(),
  session_id: SessionId.optional(),
  service_account_id: z.string().max(128).optional(),
  memory_id: MemoryId.optional(),
  operation: MemoryVersionOperation.optional(),
  created_at: CreatedAtQuery,
  view: MemoryView.optional(),
});

/** `client.beta.memoryStores.memoryVersions`: every change to a memory, who made it, and redaction. */
export const MEMORY_VERSION_ROUTES = [
  route({
    ...at,
    method: "GET",
    path: collection,
    operationId: "memory_stores.memory_versions.list",
    summary:
      "List a store's memory versions, newest first (filters: api_key_id, session_id, memory_id, operation, created_at)",
    params: z.strictObject({ memory_store_id: MemoryStoreId }),
    query: ListQuery,
    response: page(MemoryVersion),
    handler: ({ params, query }, ctx) => {
      const { api_key_id, session_id, ...rest } = query;
      return ctx.call(MEMORY_RPC.versionsList, {
        ...params,
        ...rest,
        created_by_api_key_id: api_key_id,
        created_by_session_id: session_id,
      });
    },
  }),
  route({
    ...at,
    method: "GET",
    path: item,
    operationId: "memory_stores.memory_versions.retrieve",
    summary: "Get a memory version (`view=full` by default)",
    params: VersionPath,
    query: z.strictObject({ view: MemoryView.optional() }),
    response: MemoryVersion,
    handler: ({ params, query }, ctx) => ctx.call(MEMORY_RPC.versionsGet, { ...params, ...query }),
  }),
  route({
    ...at,
    method: "POST",
    path: `${item}/redact`,
    operationId: "memory_stores.memory_versions.redact",
    summary: "Redact a memory version: its content, path, size and hash are cleared for good",
    params: VersionPath,
    response: MemoryVersion,
    handler: ({ params }, ctx) => ctx.call(MEMORY_RPC.versionsRedact, { ...params, actor: apiActor(ctx) }),
  }),
];
