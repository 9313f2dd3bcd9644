import Fastify, { type FastifyInstance } from "fastify";
import qs from "qs";
import { CorralError, jsonDepthExceeds, MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES } from "@corral/protocol";
import type { Logger } from "@corral/logger";
import { newRequestId, toApiError } from "./errors.js";
import { serveConsole } from "./console-files.js";
import { meterHttp } from "./http-metrics.js";
import { traceHttp } from "./trace-http.js";

/** An empty JSON body (e.g. a bare POST …/archive) is no body, not an error. */
function parseJsonBody(
  _req: unknown,
  body: string | Buffer,
  done: (err: Error | null, value?: unknown) => void,
) {
  const text = String(body);
  if (!text.trim()) return done(null, undefined);
  if (jsonDepthExceeds(text))
    return done(
      new CorralError("INVALID_REQUEST", `request body nests deeper than ${MAX_JSON_DEPTH} levels`),
      undefined,
    );
  try {
    done(null, JSON.parse(text));
  } catch {
    done(new CorralError("INVALID_REQUEST", "request body is not valid JSON"), undefined);
  }
}

/** Fastify's own 4xx (malformed JSON, body too large, wrong content type) become the API's errors. */
function asCorralError(error: unknown, logger: Logger, where: object): unknown {
  if (error instanceof CorralError) return error;
  const status = (error as { statusCode?: number } | null)?.statusCode ?? 500;
  if (status === 413)
    return new CorralError("PAYLOAD_TOO_LARGE", `request body is larger than ${MAX_PAYLOAD_BYTES} bytes`);
  if (status >= 400 && status < 500) return new CorralError("INVALID_REQUEST", (error as Error).message);
  logger.error({ err: error, ...where }, "request failed");
  return error;
}

/** The HTTP server with the API's conventions: qs queries, request ids, and every error in its envelope. */
export function createApp(logger: Logger): FastifyInstance {
  const app = Fastify({
    bodyLimit: MAX_PAYLOAD_BYTES,
    routerOptions: {
      querystringParser: (s: string) => qs.parse(s, { depth: 2, arrayLimit: 100, parameterLimit: 200 }),
    },
    genReqId: () => newRequestId(),
    logger: false,
  });
  meterHttp(app);
  traceHttp(app);
  serveConsole(app);
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, parseJsonBody);
  app.setErrorHandler((error, req, reply) => {
    const { status, body } = toApiError(
      asCorralError(error, logger, { request_id: req.id, url: req.url }),
      req.id,
    );
    void reply.code(status).send(body);
  });
  app.setNotFoundHandler((req, reply) => {
    const missing = new CorralError("NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0]}`);
    const { status, body } = toApiError(missing, req.id);
    void reply.code(status).send(body);
  });
  return app;
}
