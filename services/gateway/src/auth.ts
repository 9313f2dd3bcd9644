import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { CorralError } from "@corral/protocol";
import type { ApiKeyRecord } from "./api-keys.js";
import { isConsolePath } from "./console-files.js";
import type { KeyCheck } from "./key-check.js";
import { createRateLimiter, type RateLimit } from "./rate-limit.js";

const PUBLIC_PATHS = new Set(["/v1/openapi.json", "/healthz"]);

export interface AuthLimits {
  /** Requests per key. */
  perKey: RateLimit;
  /** Requests with a missing or bad key, per client address. */
  badKey: RateLimit;
}

/** The key each authenticated request was made with. */
const keyOfRequest = new WeakMap<FastifyRequest, ApiKeyRecord>();
export const requestKey = (req: FastifyRequest): ApiKeyRecord | undefined => keyOfRequest.get(req);

/** The key a request carries, as `x-api-key` or `Authorization: Bearer`. */
function apiKeyOf(req: FastifyRequest): string {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
}

/** 429 with the API's `rate_limit_error` and `retry-after` (seconds). */
function tooMany(req: FastifyRequest, reply: FastifyReply, seconds: number) {
  return reply
    .code(429)
    .header("retry-after", String(seconds))
    .send({
      type: "error",
      error: { type: "rate_limit_error", message: `rate limit exceeded; retry after ${seconds} s` },
      request_id: req.id,
    });
}

/**
 * Every request but the public ones needs a live key; nothing is read or written without one. Each key
 * has its own rate limit, and bad-key attempts one per client address; a read-only key may only GET.
 */
export function requireApiKeys(app: FastifyInstance, keys: () => KeyCheck | null, limits: AuthLimits): void {
  const perKey = createRateLimiter(limits.perKey);
  const badKey = createRateLimiter(limits.badKey);
  app.addHook("onRequest", async (req, reply) => {
    void reply.header("request-id", req.id);
    const path = req.url.split("?")[0] ?? "";
    if (PUBLIC_PATHS.has(path) || isConsolePath(path)) return;
    // A client address out of bad-key attempts is answered from memory alone: its known keys still work.
    const flooding = badKey.peek(req.ip);
    const key = apiKeyOf(req);
    const record = flooding > 0 ? keys()?.check(key) : await keys()?.lookup(key);
    if (!record && flooding > 0) return tooMany(req, reply, flooding);
    if (!record) {
      const wait = badKey.take(req.ip);
      if (wait > 0) return tooMany(req, reply, wait);
      throw new CorralError(
        "UNAUTHENTICATED",
        "a valid API key is required (x-api-key or Authorization: Bearer)",
      );
    }
    const wait = perKey.take(record.id);
    if (wait > 0) return tooMany(req, reply, wait);
    if (record.scope === "read_only" && req.method !== "GET" && req.method !== "HEAD")
      throw new CorralError("FORBIDDEN", "this API key is read-only");
    keyOfRequest.set(req, record);
  });
}
