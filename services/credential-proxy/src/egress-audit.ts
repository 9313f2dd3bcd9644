import type { ResolvedCredential } from "./credential-resolution.js";
import type { EgressDeps, SandboxContext } from "./egress-context.js";
import type { Refusal } from "./refusal.js";
import { recordEvent } from "./record-event.js";
import { countCredentialUse } from "./metrics.js";

/** Records each credential a request used, with the upstream status (0 when no response came). */
export function recordCredentialUses(
  deps: EgressDeps,
  sandbox: SandboxContext,
  use: { used: readonly ResolvedCredential[]; host: string; method: string; status: number },
): void {
  for (const credential of use.used) {
    countCredentialUse(credential, "egress");
    recordEvent(deps, sandbox.sessionId, {
      type: "span.credential_use",
      credential_id: credential.record.id,
      vault_id: credential.record.vault_id,
      host: use.host,
      method: use.method,
      status: use.status,
    });
  }
}

/** Logs and records a request the policy refused. Never with a secret: reasons name credentials only. */
export function recordBlocked(
  deps: EgressDeps,
  sandbox: SandboxContext,
  blocked: { host: string; method: string; refusal: Refusal },
): void {
  const { host, method, refusal } = blocked;
  deps.logger.info(
    { session_id: sandbox.sessionId, sandbox_id: sandbox.sandboxId, host, method, reason: refusal.message },
    "egress blocked",
  );
  recordEvent(deps, sandbox.sessionId, {
    type: "span.egress_blocked",
    host,
    method,
    reason: refusal.message,
    ...(refusal.credentialId && { credential_id: refusal.credentialId }),
  });
}
