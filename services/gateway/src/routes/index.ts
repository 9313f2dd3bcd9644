import { AGENT_ROUTES } from "./agents.js";
import { CORRAL_HEALTH_ROUTES } from "./corral-health.js";
import { ENVIRONMENT_ROUTES } from "./environments.js";
import { EVENT_ROUTES } from "./events.js";
import type { Route } from "./route.js";
import { SESSION_ROUTES } from "./sessions.js";
import { SESSION_RESOURCE_ROUTES } from "./session-resources.js";
import { THREAD_ROUTES } from "./threads.js";
import { MEMORY_STORE_ROUTES } from "./memory-stores.js";
import { CREDENTIAL_ROUTES, VAULT_ROUTES } from "./vaults.js";

/** Every route the gateway serves, JSON and SSE, in the order the OpenAPI document lists them. */
export const ROUTES: Route[] = [
  ...AGENT_ROUTES,
  ...ENVIRONMENT_ROUTES,
  ...SESSION_ROUTES,
  ...SESSION_RESOURCE_ROUTES,
  ...EVENT_ROUTES,
  ...THREAD_ROUTES,
  ...VAULT_ROUTES,
  ...CREDENTIAL_ROUTES,
  ...MEMORY_STORE_ROUTES,
  ...CORRAL_HEALTH_ROUTES,
];

export type { Route, JsonRoute, StreamRoute, RouteContext, Call, CallOptions } from "./route.js";
