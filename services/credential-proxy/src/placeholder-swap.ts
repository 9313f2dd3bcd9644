import type { IncomingHttpHeaders } from "node:http";
import { PLACEHOLDER_PATTERN, PLACEHOLDER_PREFIX } from "@corral/protocol";
import type { ResolvedCredential } from "./credential-resolution.js";
import { credentialAllowsTarget, type SecretDestination } from "./egress-policy.js";
import { endToEndHeaders } from "./hop-by-hop.js";
import { Refusal } from "./refusal.js";

/** One request's swap: the session's placeholders, the host it goes to, and the credentials it used. */
interface Swap {
  placeholders: ReadonlyMap<string, ResolvedCredential>;
  target: SecretDestination;
  used: Set<ResolvedCredential>;
}

export interface SwappedRequest {
  headers: Record<string, string | string[]>;
  body: Buffer | null;
  used: ResolvedCredential[];
}

const EVERY_PLACEHOLDER = new RegExp(PLACEHOLDER_PATTERN.source, "g");

/** The secret for one placeholder, if its credential may go to this host in this part of the request. */
function secretFor(swap: Swap, placeholder: string, where: "header" | "body"): string {
  const credential = swap.placeholders.get(placeholder);
  const auth = credential?.record.auth;
  if (!credential || auth?.type !== "environment_variable")
    throw new Refusal(403, "an unknown placeholder was sent");
  const credentialId = credential.record.id;
  const { host, port, protocol } = swap.target;
  if (!credentialAllowsTarget(credential.record, swap.target))
    throw new Refusal(
      403,
      `the placeholder of ${auth.secret_name} may not be sent to ${host} (port ${port}, ${protocol === "https:" ? "TLS" : "plain HTTP"}): secrets go only over TLS to their credential's hosts and ports`,
      credentialId,
    );
  if (!auth.injection_location[where])
    throw new Refusal(403, `${auth.secret_name} may not be injected into the request ${where}`, credentialId);
  swap.used.add(credential);
  return credential.secrets.secret_value ?? "";
}

const swapText = (swap: Swap, text: string, where: "header" | "body") =>
  text.replace(EVERY_PLACEHOLDER, (placeholder) => secretFor(swap, placeholder, where));

function swapHeader(swap: Swap, name: string, value: string): string {
  // Basic credentials carry the placeholder base64-encoded (e.g. git's user:token URLs).
  if (name === "authorization" && value.startsWith("Basic ")) {
    const decoded = Buffer.from(value.slice(6), "base64").toString("utf8");
    return decoded.includes(PLACEHOLDER_PREFIX)
      ? `Basic ${Buffer.from(swapText(swap, decoded, "header")).toString("base64")}`
      : value;
  }
  return swapText(swap, value, "header");
}

/**
 * Swaps placeholders for secrets where the credential allows it (TLS to its hosts and ports, its injection
 * locations);
 * any other placeholder, and any placeholder in the URL, refuses the request.
 */
export function swapPlaceholders(
  placeholders: ReadonlyMap<string, ResolvedCredential>,
  request: { target: SecretDestination; path: string; headers: IncomingHttpHeaders; body: Buffer | null },
): SwappedRequest {
  const inUrl = PLACEHOLDER_PATTERN.exec(request.path);
  if (inUrl)
    throw new Refusal(403, "placeholders are never put into URLs", placeholders.get(inUrl[0])?.record.id);
  const swap: Swap = { placeholders, target: request.target, used: new Set() };
  const headers = endToEndHeaders(request.headers);
  for (const [name, value] of Object.entries(headers))
    headers[name] = Array.isArray(value)
      ? value.map((v) => swapHeader(swap, name, v))
      : swapHeader(swap, name, value);
  const body = request.body?.includes(PLACEHOLDER_PREFIX)
    ? Buffer.from(swapText(swap, request.body.toString("utf8"), "body"))
    : request.body;
  if (body && body !== request.body) headers["content-length"] = String(body.length);
  return { headers, body, used: [...swap.used] };
}
