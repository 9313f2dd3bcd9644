import { networkInterfaces } from "node:os";
import ipaddr from "ipaddr.js";

/**
 * Addresses an operator lets the proxy reach although they are not public (`EGRESS_ALLOW_ADDRESSES`):
 * each entry an address, a CIDR range, or an address with a port (`127.0.0.1:8443`, `[::1]:8443`).
 */
export interface AddressAllowList {
  entries: readonly { range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port: number | null }[];
}

export const NO_ALLOWED_ADDRESSES: AddressAllowList = { entries: [] };

/** IPv4-mapped IPv6 addresses are their IPv4 address; everything else as parsed. */
const normalized = (address: string) => {
  const parsed = ipaddr.parse(address);
  return parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).isIPv4MappedAddress()
    ? (parsed as ipaddr.IPv6).toIPv4Address()
    : parsed;
};

function parseEntry(entry: string): AddressAllowList["entries"][number] {
  const withPort = /^\[([^\]]+)\]:(\d{1,5})$/.exec(entry) ?? /^([^:/]+):(\d{1,5})$/.exec(entry);
  const [address, port] = withPort ? [withPort[1]!, Number(withPort[2])] : [entry, null];
  if (address.includes("/")) {
    const [net, bits] = ipaddr.parseCIDR(address);
    return { range: [net, bits], port };
  }
  const parsed = normalized(address);
  return { range: [parsed, parsed.kind() === "ipv4" ? 32 : 128], port };
}

/** `EGRESS_ALLOW_ADDRESSES`: comma- or space-separated entries; a malformed one stops the proxy at start. */
export function parseAllowList(raw: string | undefined): AddressAllowList {
  const entries = (raw ?? "").split(/[\s,]+/).filter(Boolean);
  return {
    entries: entries.map((entry) => {
      try {
        return parseEntry(entry);
      } catch {
        throw new Error(`EGRESS_ALLOW_ADDRESSES: ${entry} is not an address, a CIDR range or address:port`);
      }
    }),
  };
}

/** The host's own addresses, on every interface: never reachable through the proxy unless allowed. */
function ownAddresses(): Set<string> {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces()))
    for (const info of list ?? []) own.add(normalized(info.address.replace(/%.*$/, "")).toString());
  return own;
}

/**
 * Why an address is not on the public internet (its range: loopback, private, linkLocal, carrierGradeNat,
 * reserved, rfc6052 (NAT64), 6to4, teredo, ...), or null for a public unicast address. Addresses that
 * embed another (IPv4-mapped) are judged by the embedded one; the translation ranges are refused whole.
 */
export function nonPublicRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return "invalid";
  const parsed = normalized(address);
  const range = parsed.range();
  if (range !== "unicast") return range;
  return ownAddresses().has(parsed.toString()) ? "this host's own address" : null;
}

function allowedByOperator(allow: AddressAllowList, address: string, port: number): boolean {
  const parsed = normalized(address);
  return allow.entries.some(
    ({ range, port: only }) =>
      (only === null || only === port) &&
      range[0].kind() === parsed.kind() &&
      parsed.match(range as [ipaddr.IPv4, number]),
  );
}

/** Null when the proxy may connect to `address:port`; else the reason it may not, safe to show. */
export function addressRefusal(allow: AddressAllowList, address: string, port: number): string | null {
  const range = nonPublicRange(address);
  if (range === null || (range !== "invalid" && allowedByOperator(allow, address, port))) return null;
  return `${address} is not a public address (${range}); only an operator setting (EGRESS_ALLOW_ADDRESSES) opens it`;
}
