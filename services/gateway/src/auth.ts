import type { FastifyInstance, FastifyRequest } from "fastify";
import { CorralError } from "@corral/protocol";
import type { KeyCheck } from "./key-check.js";

const PUBLIC_PATHS = new Set(["/v1/openapi.json", "/healthz"]);

/** The key a request carries, as `x-api-key` or `Authorization: Bearer`. */
function apiKeyOf(req: FastifyRequest): string {
  const header = req.headers["x-api-key"];
  if (typeof header === "string" && header) return header;
  const auth = req.headers.authorization;
  return auth?.startsWith("Bearer ") ? auth.slice("Bearer ".length).trim() : "";
}

/** Every request but the public ones needs a live key; nothing is read or written without one. */
export function requireApiKeys(app: FastifyInstance, keys: () => KeyCheck | null): void {
  app.addHook("onRequest", async (req, reply) => {
    void reply.header("request-id", req.id);
    if (PUBLIC_PATHS.has(req.url.split("?")[0] ?? "")) return;
    if (!(await keys()?.lookup(apiKeyOf(req))))
      throw new CorralError(
        "UNAUTHENTICATED",
        "a valid API key is required (x-api-key or Authorization: Bearer)",
      );
  });
}
