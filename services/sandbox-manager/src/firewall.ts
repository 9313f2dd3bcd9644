import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Docker's internal networks have no route out, but a container can still reach the host itself through
 * the bridge's gateway address, and so any host service listening on all interfaces. This drops every
 * packet from the sandbox bridge to the host, except to ports explicitly allowed (the egress proxy).
 */
/** The rule that lets the bridge reach one host port, marked with the manager that added it. */
const portRule = (bridge: string, port: number, owner: string) => [
  "INPUT",
  "-i",
  bridge,
  "-p",
  "tcp",
  "--dport",
  String(port),
  "-m",
  "comment",
  "--comment",
  owner,
  "-j",
  "ACCEPT",
];

/**
 * `owner` marks the port rules this manager adds (one manager's rule is never taken for another's, even
 * on a shared port), so that `releaseHostPorts` removes exactly them when it stops: a rule left behind
 * would let every later sandbox reach whatever host service binds that port next.
 */
export async function isolateBridgeFromHost(
  bridge: string,
  allowedPorts: readonly number[] = [],
  owner = "corral-sandbox-manager",
): Promise<void> {
  const rules: string[][] = [
    ["INPUT", "-i", bridge, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ...allowedPorts.map((port) => portRule(bridge, port, owner)),
    ["INPUT", "-i", bridge, "-j", "DROP"],
  ];
  // Inserted in reverse at the top, so they end up in the order above and before any host ACCEPT rule.
  for (const rule of [...rules].reverse()) {
    const [chain, ...spec] = rule as [string, ...string[]];
    const present = await run("iptables", ["-C", chain, ...spec]).then(
      () => true,
      () => false,
    );
    if (!present) await run("iptables", ["-I", chain, "1", ...spec]);
  }
}

/** Removes the port rules `owner` added (those already gone are skipped); the DROP rule stays. */
export async function releaseHostPorts(
  bridge: string,
  ports: readonly number[],
  owner: string,
): Promise<void> {
  for (const port of ports) {
    const [chain, ...spec] = portRule(bridge, port, owner) as [string, ...string[]];
    await run("iptables", ["-D", chain, ...spec]).catch(() => undefined);
  }
}
