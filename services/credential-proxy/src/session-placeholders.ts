import type { SessionId } from "@corral/protocol";
import type { ResolvedCredential } from "./credential-resolution.js";
import type { EgressKeys } from "./proxy-keys.js";

/** A session's `environment_variable` credentials by the placeholder its sandboxes see for each. */
export function sessionPlaceholders(
  keys: EgressKeys,
  sessionId: SessionId,
  credentials: readonly ResolvedCredential[],
): Map<string, ResolvedCredential> {
  const placeholders = new Map<string, ResolvedCredential>();
  for (const credential of credentials) {
    if (credential.record.auth.type === "environment_variable")
      placeholders.set(keys.placeholder(sessionId, credential.record.id), credential);
  }
  return placeholders;
}
