import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";
import { CorralError, describeZodError, isNotSupported, type FileId } from "@corral/protocol";
import { createCall, type CallDeps } from "./call.js";
import { requestKey } from "./auth.js";
import type { Feeds } from "./feeds.js";
import type { JsonRoute, Route, RouteContext, StreamRoute } from "./routes/index.js";
import { openEventStream, resumePosition } from "./sse.js";
import { unknownFields } from "./unknown-fields.js";
import { findFile as findStoredFile, type FileStore } from "./files/file-store.js";

export interface ServeDeps extends CallDeps {
  /** The live feeds, which exist once the gateway has started. */
  feeds(): Feeds;
  /** The uploaded files, which exist once the gateway has started. */
  files(): FileStore;
}

/** A documented field Corral refuses is named like an unknown one: `unsupported field "path" (why)`. */
function describeIssues(error: z.ZodError): string {
  const refused = error.issues.filter(isNotSupported);
  if (refused.length === 0) return describeZodError(error);
  return refused
    .slice(0, 5)
    .map((issue) => `unsupported field "${issue.path.join(".")}" (${issue.message})`)
    .join("; ");
}

export function parse<S extends z.ZodType>(
  schema: S | undefined,
  value: unknown,
  where: string,
): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new CorralError("INVALID_REQUEST", `${where}: ${describeIssues(parsed.error)}`);
  const unknown = unknownFields(value ?? {}, parsed.data);
  if (unknown.length > 0)
    throw new CorralError(
      "INVALID_REQUEST",
      `${where}: unknown or unsupported field${unknown.length > 1 ? "s" : ""} ${unknown.map((f) => `"${f}"`).join(", ")}`,
    );
  return parsed.data;
}

/** A handler's context for one request; its retries stop when the client goes away. */
function contextFor(deps: ServeDeps, req: FastifyRequest, reply: FastifyReply): RouteContext {
  const gone = new AbortController();
  reply.raw.once("close", () => gone.abort());
  const scope = {
    read: req.method === "GET",
    signal: gone.signal,
    requestId: req.id,
    workspace: requestKey(req)?.workspace_id,
  };
  const findFile = (id: FileId) => findStoredFile(deps.files(), id, scope.workspace);
  return { call: createCall(deps, scope), headers: req.headers, findFile, apiKeyId: requestKey(req)?.id };
}

function serveJson(app: FastifyInstance, r: JsonRoute, deps: ServeDeps): void {
  app.route({
    method: r.method,
    url: r.path,
    handler: async (req, reply) => {
      const input = {
        params: parse(r.params, req.params, "path"),
        query: parse(r.query, req.query, "query"),
        body: parse(r.body, req.body, "body"),
      };
      const result = await r.handler(input, contextFor(deps, req, reply));
      return reply.type("application/json").send(JSON.stringify(result));
    },
  });
}

/** SSE of one log from `Last-Event-ID` on (or from now): a session's own or one of its threads'. */
function serveStream(app: FastifyInstance, r: StreamRoute, deps: ServeDeps): void {
  app.route({
    method: r.method,
    url: r.path,
    handler: async (req, reply) => {
      const params = parse(r.params, req.params, "path");
      const query = parse(r.query, req.query, "query");
      const from = resumePosition(req);
      const logId = await r.open({ params }, contextFor(deps, req, reply));
      const res = openEventStream(req, reply);
      await deps.feeds().follow(logId, res, from, new Set(query.event_deltas ?? []));
    },
  });
}

/** Registers every route of the table: JSON routes answer once, stream routes follow a log. */
export function serveRoutes(app: FastifyInstance, routes: readonly Route[], deps: ServeDeps): void {
  for (const r of routes) {
    if (r.kind === "json") serveJson(app, r, deps);
    else serveStream(app, r, deps);
  }
}
