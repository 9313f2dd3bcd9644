import { counter } from "@corral/metrics";
import type { ResolvedCredential } from "./credential-resolution.js";

// No host, URL, credential id or secret is ever a label: outcomes and kinds only.

const egressRequests = counter({
  name: "corral_egress_requests_total",
  help: "Sandbox egress by kind (http: a request sent on, plain or inside an intercepted tunnel; connect: a CONNECT) and outcome",
  labelNames: ["kind", "outcome"],
});

/** http: forwarded, no_answer, blocked, refused, unauthenticated. connect: tunneled, intercepted, blocked, refused, unauthenticated. */
export function countEgress(kind: "http" | "connect", outcome: string): void {
  egressRequests.inc({ kind, outcome });
}

/** A refusal's outcome: blocked by policy (403) or refused for another reason (a bad request, a failure). */
export const refusalOutcome = (status: number) => (status === 403 ? "blocked" : "refused");

const credentialUses = counter({
  name: "corral_credential_uses_total",
  help: "Credentials used on a sandbox's or an MCP call's behalf, by credential type and path (egress or mcp)",
  labelNames: ["type", "via"],
});

export function countCredentialUse(credential: ResolvedCredential, via: "egress" | "mcp"): void {
  credentialUses.inc({ type: credential.record.auth.type, via });
}
