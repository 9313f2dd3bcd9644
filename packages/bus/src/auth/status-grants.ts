import { SUBJECTS } from "@corral/protocol";
import type { Grant } from "./grants.js";
import type { NatsUser } from "./permissions.js";

const SERVICES: readonly NatsUser[] = [
  "gateway",
  "session-store",
  "harness",
  "sandbox-manager",
  "credential-proxy",
];

/**
 * Status pings (`corral.status.ping`): every service answers them (its replies go to the asker's inbox by
 * `allow_responses`); only the gateway asks, for `GET /v1/corral/health`.
 */
export function statusGrant(user: NatsUser): Grant {
  if (!SERVICES.includes(user)) return { publish: [], subscribe: [] };
  return {
    publish: user === "gateway" ? [SUBJECTS.statusPing] : [],
    subscribe: [SUBJECTS.statusPing],
  };
}
