import { isIP } from "node:net";
import ipaddr from "ipaddr.js";
import { Refusal } from "./refusal.js";

/** One spelling per host: names lower-cased, IPv6 addresses in their canonical form. */
export const canonicalHost = (host: string) =>
  isIP(host) === 6 ? ipaddr.parse(host).toString() : host.toLowerCase();

/** Host and port of an authority (`host`, `host:port`, `[v6]:port`), the port defaulting to `defaultPort`. */
export function parseAuthority(
  authority: string,
  defaultPort: number,
): { host: string; port: number } | null {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+))(?::(\d{1,5}))?$/.exec(authority.trim());
  if (!match) return null;
  return { host: canonicalHost(match[1] ?? match[2]!), port: match[3] ? Number(match[3]) : defaultPort };
}

/**
 * The request's `Host` must name the target the proxy checked (host and port): a request for one host
 * must not reach another's virtual host, nor carry its secrets there. Throws a `Refusal` (403) otherwise.
 */
export function checkHostHeader(
  header: string | undefined,
  target: { host: string; port: number; protocol: "http:" | "https:" },
): void {
  if (header === undefined) return;
  const named = parseAuthority(header, target.protocol === "https:" ? 443 : 80);
  if (!named || named.host !== canonicalHost(target.host) || named.port !== target.port)
    throw new Refusal(
      403,
      `the Host header (${header.slice(0, 100)}) does not match the request's target ${target.host}:${target.port}`,
    );
}
