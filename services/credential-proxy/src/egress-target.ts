import { lookup } from "node:dns/promises";
import type { NetworkingConfig } from "@corral/protocol";
import { egressAllowed } from "./egress-policy.js";
import { addressRefusal, type AddressAllowList } from "./egress-address.js";
import { Refusal } from "./refusal.js";

/** Where a request goes, once the environment's rules allow it. */
export interface Target {
  protocol: "http:" | "https:";
  host: string;
  port: number;
  /** The address the host resolved to when the policy was checked: the one connected to. */
  address: string;
}

/**
 * Checks the host and port by name, resolves the host, checks the address (non-public addresses are
 * refused for every policy unless the operator allows them); throws a `Refusal` if a check fails. The
 * address returned is the only one the caller connects to, so a name that resolves differently later
 * (DNS rebinding) changes nothing.
 */
export async function resolveTarget(
  networking: NetworkingConfig | undefined,
  allow: AddressAllowList,
  destination: Omit<Target, "address">,
): Promise<Target> {
  const { host, port } = destination;
  // The name is checked before it is resolved, so a refused host is refused even if it does not resolve.
  const byName = egressAllowed(networking, host, port);
  if (!byName.ok) throw new Refusal(403, byName.reason);
  const address = await lookup(host, { order: "ipv4first" }).then(
    (r) => r.address,
    () => null,
  );
  if (!address) throw new Refusal(502, `${host} does not resolve`);
  const refused = addressRefusal(allow, address, port);
  if (refused) throw new Refusal(403, `${host}: ${refused}`);
  return { ...destination, address };
}
