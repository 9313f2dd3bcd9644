import { createHmac, timingSafeEqual } from "node:crypto";
import { derivePlaceholder, type CredentialId, type SandboxId, type SessionId } from "@corral/protocol";

/** Keys derived from the proxy's one egress secret. */
export interface EgressKeys {
  /** The proxy credential of one sandbox: useless to any other. */
  token(sandboxId: SandboxId): string;
  verify(sandboxId: SandboxId, token: string): boolean;
  /** The placeholder a session's sandboxes see for a credential: stable, and meaningless elsewhere. */
  placeholder(sessionId: SessionId, credentialId: CredentialId): string;
}

export function egressKeys(secret: Buffer): EgressKeys {
  const token = (sandboxId: SandboxId) =>
    createHmac("sha256", secret).update(`proxy-token\0${sandboxId}`).digest("base64url");
  return {
    token,
    verify(sandboxId, given) {
      const expected = Buffer.from(token(sandboxId));
      const actual = Buffer.from(given);
      return expected.length === actual.length && timingSafeEqual(expected, actual);
    },
    placeholder: (sessionId, credentialId) => derivePlaceholder(secret, sessionId, credentialId),
  };
}
