import type { CredentialRecord, NetworkingConfig } from "@corral/protocol";

/** `*.example.com` matches sub-domains of example.com (not example.com itself); anything else is exact. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  const h = host.toLowerCase();
  return p.startsWith("*.") ? h.endsWith(p.slice(1)) && h.length > p.length - 1 : p === h;
}

/** The ports a pattern without one stands for: HTTP's and HTTPS's own, never any other. */
export const DEFAULT_PORTS: readonly number[] = [80, 443];

/**
 * An `allowed_hosts` entry against a host and port: `host:port` matches that port alone; a bare host (or
 * `*.domain`) only the default ports 80 and 443.
 */
export function targetMatches(pattern: string, host: string, port: number): boolean {
  const withPort = /^(.*):(\d{1,5})$/.exec(pattern);
  const [name, ports] = withPort ? [withPort[1]!, [Number(withPort[2])]] : [pattern, DEFAULT_PORTS];
  return ports.includes(port) && hostMatches(name, host);
}

/**
 * Whether the environment lets a sandbox reach `host:port` by name. Unrestricted means the public
 * internet: the address it resolves to is checked separately (`addressRefusal`), for every policy.
 */
export function egressAllowed(
  networking: NetworkingConfig | undefined,
  host: string,
  port: number,
): { ok: true } | { ok: false; reason: string } {
  if (networking?.type !== "limited" || networking.allowed_hosts.some((p) => targetMatches(p, host, port)))
    return { ok: true };
  return { ok: false, reason: `${host}:${port} is not in the environment's allowed_hosts` };
}

/** Hosts an `environment_variable` credential's value may be sent to (null: any host, on port 443). */
export function credentialHosts(record: CredentialRecord): string[] | null {
  return record.auth.type === "environment_variable" && record.auth.networking.type === "limited"
    ? record.auth.networking.allowed_hosts
    : null;
}

/** Where a secret may go: over TLS only, to one of its credential's hosts and ports (443 for a bare name). */
export interface SecretDestination {
  protocol: "http:" | "https:";
  host: string;
  port: number;
}

export function credentialAllowsTarget(record: CredentialRecord, to: SecretDestination): boolean {
  if (to.protocol !== "https:") return false;
  const hosts = credentialHosts(record) ?? ["*"];
  return hosts.some((p) =>
    p === "*" ? to.port === 443 : targetMatches(/:\d+$/.test(p) ? p : `${p}:443`, to.host, to.port),
  );
}
