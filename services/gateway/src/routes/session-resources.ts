import { z } from "zod";
import {
  CorralError,
  FileResourceParams,
  FileResourceRecord,
  SESSION_RESOURCE_RPC,
  SessionCreateParams,
  SessionId,
  SessionRecord,
  SessionResourceDeleted,
  SessionResourceId,
  SessionResourceRecord,
  SessionResourceUpdateParams,
  STORE_RPC,
  type SessionResourceParams,
} from "@corral/protocol";
import { sealRepositoryTokenFor, sealResourceTokens } from "./repo-token.js";
import { route, type RouteContext } from "./route.js";
import { Cursor, Limit } from "./schemas.js";

const CollectionPath = z.strictObject({ session_id: SessionId });
const ItemPath = z.strictObject({ session_id: SessionId, resource_id: SessionResourceId });
const at = { tag: "sessions", path: "/v1/sessions/:session_id/resources" };
const item = { tag: "sessions", path: "/v1/sessions/:session_id/resources/:resource_id", params: ItemPath };

/**
 * The gateway owns files: each file resource must name a live file of the caller's workspace, checked here
 * before anything is stored. The box of a repository token is made here too, and never accepted from a client.
 */
async function checkedResources<T extends SessionResourceParams>(
  ctx: RouteContext,
  resources: T[] | undefined,
) {
  for (const [i, r] of (resources ?? []).entries()) {
    if (r.type === "github_repository" && r.authorization_token_sealed !== undefined)
      throw new CorralError(
        "INVALID_REQUEST",
        `body: unknown field "resources.${i}.authorization_token_sealed"`,
      );
    if (r.type === "file") await ctx.findFile(r.file_id);
  }
  return sealResourceTokens(ctx.call, resources);
}

/** `sessions.create` with its resources checked (files) and sealed (repository tokens) on the way. */
export const SESSION_CREATE_ROUTE = route({
  method: "POST",
  path: "/v1/sessions",
  operationId: "sessions.create",
  summary: "Create a session",
  tag: "sessions",
  body: SessionCreateParams,
  response: SessionRecord,
  handler: async ({ body }, ctx) => {
    const resources = await checkedResources(ctx, body.resources);
    return ctx.call(STORE_RPC.sessionsCreate, {
      ...body,
      ...(resources ? { resources } : {}),
    } as SessionCreateParams);
  },
});

export const SESSION_RESOURCE_ROUTES = [
  route({
    ...at,
    method: "GET",
    operationId: "sessions.resources.list",
    summary: "List a session's resources (files, repositories, memory stores)",
    params: CollectionPath,
    query: z.strictObject({ limit: Limit(1000, 20), page: Cursor.optional() }),
    response: z.object({ data: z.array(SessionResourceRecord), next_page: z.string().nullable() }),
    handler: ({ params, query }, { call }) =>
      call(SESSION_RESOURCE_RPC.list, {
        ...params,
        limit: query.limit,
        ...(query.page ? { page: SessionResourceId.parse(query.page) } : {}),
      }),
  }),
  route({
    ...at,
    method: "POST",
    operationId: "sessions.resources.add",
    summary: "Attach a file to a session (mounted in sandboxes provisioned from then on)",
    params: CollectionPath,
    body: FileResourceParams,
    response: FileResourceRecord,
    handler: async ({ params, body }, ctx) => {
      await ctx.findFile(body.file_id);
      return ctx.call(SESSION_RESOURCE_RPC.add, { ...params, params: body });
    },
  }),
  route({
    ...item,
    method: "GET",
    operationId: "sessions.resources.retrieve",
    summary: "Get a session resource",
    response: SessionResourceRecord,
    handler: ({ params }, { call }) => call(SESSION_RESOURCE_RPC.get, params),
  }),
  route({
    ...item,
    method: "POST",
    operationId: "sessions.resources.update",
    summary: "Rotate a repository resource's authorization_token",
    body: SessionResourceUpdateParams,
    response: SessionResourceRecord,
    handler: async ({ params, body }, { call }) => {
      const current = await call(SESSION_RESOURCE_RPC.get, params);
      if (current.type !== "github_repository")
        throw new CorralError(
          "INVALID_REQUEST",
          `resource ${current.id} is a ${current.type}: only github_repository resources take a new authorization_token`,
        );
      const sealed_token = await sealRepositoryTokenFor(call, current.url, body.authorization_token);
      return call(SESSION_RESOURCE_RPC.update, { ...params, sealed_token });
    },
  }),
  route({
    ...item,
    method: "DELETE",
    operationId: "sessions.resources.delete",
    summary: "Detach a resource from a session",
    response: SessionResourceDeleted,
    handler: ({ params }, { call }) => call(SESSION_RESOURCE_RPC.delete, params),
  }),
];
