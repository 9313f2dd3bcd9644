import { BlockList, isIP } from "node:net";
import type { CredentialRecord, NetworkingConfig } from "@corral/protocol";

/** `*.example.com` matches sub-domains of example.com (not example.com itself); anything else is exact. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : p === h;
}

/** Loopback, private, link-local and other non-public ranges: reachable only when a host is listed by name. */
const INTERNAL = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.168.0.0", 16],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  INTERNAL.addSubnet(net, bits, "ipv4");
}
for (const [net, bits] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["::ffff:0:0", 96],
] as const)
  INTERNAL.addSubnet(net, bits, "ipv6");

export const isInternalAddress = (address: string) =>
  INTERNAL.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");

/**
 * Whether the environment lets a sandbox reach `host`. Unrestricted means the public internet; an internal
 * address (the host itself, other containers, the cloud metadata service) is reachable only when the
 * environment lists the host explicitly.
 */
export function egressAllowed(
  networking: NetworkingConfig | undefined,
  host: string,
  addressIsInternal: boolean,
): { ok: true } | { ok: false; reason: string } {
  const listed =
    networking?.type === "limited" ? networking.allowed_hosts.some((p) => hostMatches(p, host)) : false;
  if (networking?.type === "limited" && !listed)
    return { ok: false, reason: `${host} is not in the environment's allowed_hosts` };
  if (
    addressIsInternal &&
    !(
      networking?.type === "limited" &&
      networking.allowed_hosts.some((p) => p.toLowerCase() === host.toLowerCase())
    )
  ) {
    return {
      ok: false,
      reason: `${host} is an internal address; list it by name in allowed_hosts to reach it`,
    };
  }
  return { ok: true };
}

/** Hosts an `environment_variable` credential's value may be sent to (null: anywhere the sandbox may go). */
export function credentialHosts(record: CredentialRecord): string[] | null {
  return record.auth.type === "environment_variable" && record.auth.networking.type === "limited"
    ? record.auth.networking.allowed_hosts
    : null;
}

export const credentialAllowsHost = (record: CredentialRecord, host: string) => {
  const hosts = credentialHosts(record);
  return hosts === null || hosts.some((p) => hostMatches(p, host));
};
