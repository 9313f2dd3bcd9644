import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import qs from "qs";
import { z } from "zod";
import { CorralError, describeZodError, MAX_PAYLOAD_BYTES, STORE_RPC, THREAD_RPC } from "@corral/protocol";
import { openSessionLog, request, type Bus } from "@corral/bus";
import type { Logger } from "@corral/logger";
import { ROUTES, StreamQuery, ThreadPath, type Route } from "./routes.js";
import { newRequestId, toApiError } from "./errors.js";
import { createFeeds, type DeltaType, type Feeds } from "./feeds.js";
import { openKeyBucket, watchApiKeys, type KeyCheck } from "./keys.js";
import { openApiDocument } from "./openapi.js";
import type { GatewayConfig } from "./config.js";

export interface Gateway {
  start(): Promise<{ url: string }>;
  stop(): Promise<void>;
  readonly app: FastifyInstance;
  readonly feeds: Feeds;
}

const PUBLIC_PATHS = new Set(["/v1/openapi.json", "/healthz"]);

function apiKeyOf(req: FastifyRequest): string {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
}

function parse<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): z.output<S> {
  if (!schema) return undefined as z.output<S>;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success)
    throw new CorralError("INVALID_REQUEST", `${where}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/** `Last-Event-ID` is the position of the last event the client has; the stream resumes right after it. */
function resumePosition(req: FastifyRequest): number | null {
  const header = req.headers["last-event-id"];
  if (header === undefined || header === "") return null;
  const value = Number(header);
  if (typeof header !== "string" || !Number.isInteger(value) || value < 0)
    throw new CorralError("INVALID_REQUEST", "Last-Event-ID must be an event position this stream sent");
  return value + 1;
}

export function createGateway(deps: { bus: Bus; logger: Logger; config: GatewayConfig }): Gateway {
  const { bus, logger, config } = deps;
  const app = Fastify({
    bodyLimit: MAX_PAYLOAD_BYTES,
    routerOptions: {
      querystringParser: (s: string) => qs.parse(s, { depth: 2, arrayLimit: 100, parameterLimit: 200 }),
    },
    genReqId: () => newRequestId(),
    logger: false,
  });
  // An empty JSON body (e.g. a bare POST …/archive) is no body, not an error.
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
    const text = String(body);
    if (!text.trim()) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new CorralError("INVALID_REQUEST", "request body is not valid JSON"), undefined);
    }
  });
  let keys: KeyCheck | null = null;
  let feeds!: Feeds;

  app.addHook("onRequest", async (req, reply) => {
    void reply.header("request-id", req.id);
    if (PUBLIC_PATHS.has(req.url.split("?")[0] ?? "")) return;
    if (!(await keys?.lookup(apiKeyOf(req))))
      throw new CorralError(
        "UNAUTHENTICATED",
        "a valid API key is required (x-api-key or Authorization: Bearer)",
      );
  });

  app.setErrorHandler((error, req, reply) => {
    let mapped = error;
    // Fastify's own 4xx (malformed JSON, body too large, wrong content type) become the API's errors.
    if (!(error instanceof CorralError)) {
      const status = (error as { statusCode?: number }).statusCode ?? 500;
      if (status === 413)
        mapped = new CorralError(
          "PAYLOAD_TOO_LARGE",
          `request body is larger than ${MAX_PAYLOAD_BYTES} bytes`,
        );
      else if (status >= 400 && status < 500)
        mapped = new CorralError("INVALID_REQUEST", (error as Error).message);
      else logger.error({ err: error, request_id: req.id, url: req.url }, "request failed");
    }
    const { status, body } = toApiError(mapped, req.id);
    void reply.code(status).send(body);
  });

  app.setNotFoundHandler((req, reply) => {
    const { status, body } = toApiError(
      new CorralError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`),
      req.id,
    );
    void reply.code(status).send(body);
  });

  for (const r of ROUTES) registerRoute(r);

  app.get("/healthz", async () => ({ ok: true }));
  const document = JSON.stringify(openApiDocument(ROUTES));
  app.get("/v1/openapi.json", async (_req, reply) => reply.type("application/json").send(document));

  /** SSE of one log from `from` on: the session's own (`/events/stream`) or a thread's (`/threads/:id/stream`). */
  async function stream(req: FastifyRequest, reply: FastifyReply, logId: string): Promise<void> {
    const query = parse(StreamQuery, req.query, "query");
    const from = resumePosition(req);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      "request-id": req.id,
    });
    res.flushHeaders();
    await feeds.follow(logId, res, from, new Set<DeltaType>(query.event_deltas ?? []));
  }

  app.get("/v1/sessions/:session_id/events/stream", async (req, reply) => {
    const params = parse(z.strictObject({ session_id: z.string() }), req.params, "path");
    await request(bus, STORE_RPC.sessionsGet, { session_id: params.session_id });
    await stream(req, reply, params.session_id);
  });

  app.get("/v1/sessions/:session_id/threads/:thread_id/stream", async (req, reply) => {
    const params = parse(ThreadPath, req.params, "path");
    await request(bus, THREAD_RPC.get, params);
    await stream(req, reply, params.thread_id);
  });

  function registerRoute(r: Route): void {
    app.route({
      method: r.method,
      url: r.path,
      handler: async (req: FastifyRequest, reply: FastifyReply) => {
        const input = {
          params: parse(r.params, req.params, "path"),
          query: parse(r.query, req.query, "query"),
          body: parse(r.body, req.body, "body"),
        };
        const result = await r.handler(input, { bus, headers: req.headers });
        return reply.type("application/json").send(JSON.stringify(result));
      },
    });
  }

  return {
    app,
    get feeds() {
      return feeds;
    },
    async start() {
      keys = await watchApiKeys(await openKeyBucket(bus), config.apiKeys);
      feeds = createFeeds({ bus, log: await openSessionLog(bus), logger, options: config.feeds });
      const address = await app.listen({ host: config.host, port: config.port });
      logger.info({ url: address }, "gateway listening");
      return { url: address };
    },
    async stop() {
      feeds?.close();
      await app.close();
      keys?.stop();
    },
  };
}
