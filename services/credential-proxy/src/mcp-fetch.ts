import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Readable } from "node:stream";
import { addressRefusal, type AddressAllowList } from "./egress-address.js";

type Fetch = (url: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * Resolves like `dns.lookup`, but refuses a non-public address the operator has not allowed. Node calls it
 * for the connection itself, so the address checked is the address connected to (no DNS rebinding).
 */
function checkedLookup(allow: AddressAllowList, port: number): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: false }, (err, address, family) => {
      if (err) return callback(err, "", 0);
      const refused = addressRefusal(allow, address as unknown as string, port);
      if (refused) return callback(new Error(refused), "", 0);
      // Node asks with `all: true` for happy-eyeballs connects; answer in the shape it asked for.
      if (options.all)
        return (callback as never as (e: null, a: LookupAddress[]) => void)(null, [
          { address, family } as LookupAddress,
        ]);
      callback(null, address as unknown as string, family as number);
    });
  };
}

function toResponse(answer: IncomingMessage): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers))
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
      headers.append(name, v);
  const status = answer.statusCode ?? 502;
  const empty = status === 204 || status === 304 || status < 200;
  if (empty) answer.resume();
  const body = empty ? null : (Readable.toWeb(answer) as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: answer.statusMessage ?? "", headers });
}

/**
 * `fetch` for calls the proxy makes from the host on a session's behalf (MCP servers, token endpoints):
 * the same address rules as sandboxes' egress, checked at connect time. Redirects are never followed.
 */
export function guardedFetch(allow: AddressAllowList): Fetch {
  return async (input, init = {}) => {
    const url = new URL(String(input));
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new Error(`${url.protocol} is not http(s)`);
    const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
    // An address in the URL is connected to without a lookup: checked here.
    const literal = url.hostname.replace(/^\[|\]$/g, "");
    const refused = isIP(literal) ? addressRefusal(allow, literal, port) : null;
    if (refused) throw new Error(refused);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body =
      init.body === undefined || init.body === null ? null : await new Response(init.body).arrayBuffer();
    return new Promise<Response>((resolve, reject) => {
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = send(url, {
        method: init.method ?? "GET",
        headers,
        lookup: checkedLookup(allow, port),
        ...(init.signal && { signal: init.signal }),
      });
      req.on("response", (answer) => resolve(toResponse(answer)));
      req.on("error", reject);
      req.end(body ? Buffer.from(body) : undefined);
    });
  };
}
