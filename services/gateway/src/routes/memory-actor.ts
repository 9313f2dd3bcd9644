import { CorralError, type MemoryActor } from "@corral/protocol";
import type { RouteContext } from "./route.js";

/** Who a change made through the HTTP API is attributed to: the API key of the request. */
export function apiActor(ctx: RouteContext): MemoryActor {
  if (!ctx.apiKeyId) throw new CorralError("UNAUTHENTICATED", "an API key is required");
  return { type: "api_actor", api_key_id: ctx.apiKeyId };
}
