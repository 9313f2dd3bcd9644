import { createHmac } from "node:crypto";
import { PLACEHOLDER_PREFIX } from "./egress.js";
import type { CredentialId, SessionId } from "./ids.js";

/** A placeholder as it appears in a sandbox's environment and requests (no global flag: no shared state). */
export const PLACEHOLDER_PATTERN = new RegExp(`${PLACEHOLDER_PREFIX}[A-Za-z0-9]{32}`);

/**
 * The placeholder a session's sandboxes see for a credential, derived from the deployment's egress secret:
 * stable for (session, credential), meaningless anywhere else, and never the secret itself.
 */
export function derivePlaceholder(
  secret: Uint8Array,
  sessionId: SessionId,
  credentialId: CredentialId,
): string {
  const mac = createHmac("sha256", secret)
    .update(`placeholder\0${sessionId}/${credentialId}`)
    .digest("base64url");
  return `${PLACEHOLDER_PREFIX}${mac.replace(/[-_]/g, "").slice(0, 32)}`;
}
