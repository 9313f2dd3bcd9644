import { lookup } from "node:dns/promises";
import type { NetworkingConfig } from "@corral/protocol";
import { egressAllowed, isInternalAddress } from "./egress-policy.js";
import { Refusal } from "./refusal.js";

/** Where a request goes, once the environment's rules allow it. */
export interface Target {
  protocol: "http:" | "https:";
  host: string;
  port: number;
  /** The address the host resolved to when the policy was checked: the one connected to. */
  address: string;
}

/** Checks the host by name, resolves it, checks the address; throws a `Refusal` if either check fails. */
export async function resolveTarget(
  networking: NetworkingConfig | undefined,
  destination: Omit<Target, "address">,
): Promise<Target> {
  const { host } = destination;
  // The name is checked before it is resolved, so a refused host is refused even if it does not resolve.
  const byName = egressAllowed(networking, host, false);
  if (!byName.ok) throw new Refusal(403, byName.reason);
  const address = await lookup(host, { order: "ipv4first" }).then(
    (r) => r.address,
    () => null,
  );
  if (!address) throw new Refusal(502, `${host} does not resolve`);
  const verdict = egressAllowed(networking, host, isInternalAddress(address));
  if (!verdict.ok) throw new Refusal(403, verdict.reason);
  return { ...destination, address };
}
