import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from "zod-openapi";
import { z } from "zod";
import type { JsonRoute, Route, StreamRoute } from "./routes/index.js";

const ErrorBody = z.object({
  type: z.literal("error"),
  error: z.object({ type: z.string(), message: z.string() }),
  request_id: z.string(),
});

const errors = {
  "400": { description: "invalid_request_error", content: { "application/json": { schema: ErrorBody } } },
  "401": { description: "authentication_error", content: { "application/json": { schema: ErrorBody } } },
  "404": { description: "not_found_error", content: { "application/json": { schema: ErrorBody } } },
} as const;

const openApiPath = (path: string) => path.replace(/:([a-z_]+)/g, "{$1}");

function jsonOperation(r: JsonRoute): ZodOpenApiOperationObject {
  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    requestParams: { ...(r.params && { path: r.params }), ...(r.query && { query: r.query }) },
    ...(r.body && { requestBody: { content: { "application/json": { schema: r.body } } } }),
    responses: {
      "200": { description: "OK", content: { "application/json": { schema: r.response } } },
      ...errors,
    },
  };
}

function streamOperation(r: StreamRoute): ZodOpenApiOperationObject {
  return {
    operationId: r.operationId,
    summary: r.summary,
    tags: [r.tag],
    requestParams: {
      path: r.params,
      query: r.query,
      header: z.object({ "last-event-id": z.string().optional() }),
    },
    responses: {
      "200": {
        description: "text/event-stream of session events",
        content: { "text/event-stream": { schema: z.string() } },
      },
      ...errors,
    },
  };
}

/** The OpenAPI 3.1 document, rendered from the same zod schemas the routes validate with. */
export function openApiDocument(routes: readonly Route[], more: ZodOpenApiPathsObject = {}): object {
  const paths: ZodOpenApiPathsObject = { ...more };
  for (const r of routes) {
    const key = openApiPath(r.path);
    const operation = r.kind === "json" ? jsonOperation(r) : streamOperation(r);
    paths[key] = { ...paths[key], [r.method.toLowerCase()]: operation };
  }
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "Corral API",
      version: "1",
      description: "Managed-Agents-compatible API of a self-hosted Corral stack.",
    },
    components: {
      securitySchemes: {
        apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
        bearer: { type: "http", scheme: "bearer" },
      },
    },
    security: [{ apiKey: [] }, { bearer: [] }],
    paths,
  });
}
