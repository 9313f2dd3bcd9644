import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Docker's internal networks have no route out, but a container can still reach the host itself through
 * the bridge's gateway address, and so any host service listening on all interfaces. This drops every
 * packet from the sandbox bridge to the host, except to ports explicitly allowed (the egress proxy).
 */
export async function isolateBridgeFromHost(
  bridge: string,
  allowedPorts: readonly number[] = [],
): Promise<void> {
  const rules: string[][] = [
    ["INPUT", "-i", bridge, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT"],
    ...allowedPorts.map((port) => [
      "INPUT",
      "-i",
      bridge,
      "-p",
      "tcp",
      "--dport",
      String(port),
      "-j",
      "ACCEPT",
    ]),
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
