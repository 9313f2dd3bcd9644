import type { ResolvedCredential } from "./credential-resolution.js";
import { createScrubber } from "./response-scrub.js";

/** How much of a failed call's message (which may quote the server's answer) an error passes on. */
export const ERROR_SNIPPET_CHARS = 200;

/**
 * A failed call's error as one bounded line, with the credential's secrets (in any common encoding)
 * replaced: a server's answer quoted in it must not carry a secret, nor much of anything, back out.
 */
export function briefError(error: unknown, credential: ResolvedCredential | null): Error {
  const message = String((error as Error)?.message ?? error).replace(/\s+/g, " ");
  const secrets = new Map(Object.values(credential?.secrets ?? {}).map((v) => [v, "[secret]"] as const));
  const scrubbed = createScrubber(secrets)?.text(message) ?? message;
  // No `cause`: the original (with the whole answer) must not travel on inside the error.
  return new Error(
    scrubbed.length > ERROR_SNIPPET_CHARS ? `${scrubbed.slice(0, ERROR_SNIPPET_CHARS)}… (cut)` : scrubbed,
  );
}
