import { z } from "zod";
import {
  ContentSha256,
  MEMORY_RPC,
  Memory,
  MemoryContent,
  MemoryDeleted,
  MemoryId,
  MemoryPath,
  MemoryPathPrefix,
  MemoryPrefix,
  MemoryStoreId,
  MemoryView,
} from "@corral/protocol";
import { route } from "./route.js";
import { Cursor, Limit, page } from "./schemas.js";
import { apiActor } from "./memory-actor.js";
import { unlessRefused } from "./memory-refusal.js";

const StorePath = z.strictObject({ memory_store_id: MemoryStoreId });
const MemoryPathParams = StorePath.extend({ memory_id: MemoryId });
const ViewQuery = z.strictObject({ view: MemoryView.optional() });
const at = { tag: "memory_stores" };
const collection = "/v1/memory_stores/:memory_store_id/memories";
const item = `${collection}/:memory_id`;

const CreateBody = z.strictObject({ path: MemoryPath, content: MemoryContent.nullable() });
const UpdateBody = z.strictObject({
  content: MemoryContent.nullish(),
  path: MemoryPath.nullish(),
  precondition: z
    .strictObject({ type: z.literal("content_sha256"), content_sha256: ContentSha256 })
    .optional(),
});
const ListQuery = z.strictObject({
  limit: Limit(1000, 100),
  page: Cursor.optional(),
  path_prefix: MemoryPathPrefix.optional(),
  depth: z.coerce.number().int().min(0).max(20).optional(),
  view: MemoryView.optional(),
});

/** `client.beta.memoryStores.memories`: path-addressed text documents, with `content_sha256` preconditions. */
export const MEMORY_ROUTES = [
  route({
    ...at,
    method: "POST",
    path: collection,
    operationId: "memory_stores.memories.create",
    summary: "Create a memory (409 memory_path_conflict_error when its path is taken or overlaps another)",
    params: StorePath,
    query: ViewQuery,
    body: CreateBody,
    response: Memory,
    handler: async ({ params, query, body }, ctx) =>
      unlessRefused(
        await ctx.call(MEMORY_RPC.memoriesCreate, {
          ...params,
          ...query,
          path: body.path,
          content: body.content ?? "",
          actor: apiActor(ctx),
        }),
      ) as Memory,
  }),
  route({
    ...at,
    method: "GET",
    path: collection,
    operationId: "memory_stores.memories.list",
    summary: "List memories in path order (`path_prefix`, `depth`; `view=full` pages hold at most 20)",
    params: StorePath,
    query: ListQuery,
    response: page(z.union([Memory, MemoryPrefix])),
    handler: ({ params, query }, ctx) => ctx.call(MEMORY_RPC.memoriesList, { ...params, ...query }),
  }),
  route({
    ...at,
    method: "GET",
    path: item,
    operationId: "memory_stores.memories.retrieve",
    summary: "Get a memory (`view=full` by default)",
    params: MemoryPathParams,
    query: ViewQuery,
    response: Memory,
    handler: ({ params, query }, ctx) => ctx.call(MEMORY_RPC.memoriesGet, { ...params, ...query }),
  }),
  route({
    ...at,
    method: "POST",
    path: item,
    operationId: "memory_stores.memories.update",
    summary: "Update a memory's content or path (`precondition` content_sha256: 409 when it does not hold)",
    params: MemoryPathParams,
    query: ViewQuery,
    body: UpdateBody,
    response: Memory,
    handler: async ({ params, query, body }, ctx) =>
      unlessRefused(
        await ctx.call(MEMORY_RPC.memoriesUpdate, {
          ...params,
          ...query,
          ...(body.content != null && { content: body.content }),
          ...(body.path != null && { path: body.path }),
          ...(body.precondition && { expected_content_sha256: body.precondition.content_sha256 }),
          actor: apiActor(ctx),
        }),
      ) as Memory,
  }),
  route({
    ...at,
    method: "DELETE",
    path: item,
    operationId: "memory_stores.memories.delete",
    summary: "Delete a memory (`expected_content_sha256`: 409 when it does not hold); its versions stay",
    params: MemoryPathParams,
    query: z.strictObject({ expected_content_sha256: ContentSha256.optional() }),
    response: MemoryDeleted,
    handler: async ({ params, query }, ctx) =>
      unlessRefused(
        await ctx.call(MEMORY_RPC.memoriesDelete, { ...params, ...query, actor: apiActor(ctx) }),
      ) as MemoryDeleted,
  }),
];
