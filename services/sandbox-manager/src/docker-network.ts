import type Docker from "dockerode";
import { createHash } from "node:crypto";
import { SANDBOX_BRIDGE_PREFIX } from "@corral/protocol";
import { isolateBridgeFromHost } from "./firewall.js";
import { LABELS } from "./labels.js";

/** Linux interface names are at most 15 characters, so the bridge is named by a hash of the network. */
export const bridgeName = (network: string) =>
  `${SANDBOX_BRIDGE_PREFIX}${createHash("sha256").update(network).digest("hex").slice(0, 10)}`;

/** Internal (no route out), no traffic between sandboxes, and nothing from sandboxes to the host. */
export async function ensureNetwork(
  docker: Docker,
  network: string,
  allowedHostPorts: readonly number[],
): Promise<void> {
  const existing = await docker.listNetworks({ filters: { name: [network] } });
  if (!existing.some((n) => n.Name === network)) {
    await docker
      .createNetwork({
        Name: network,
        Driver: "bridge",
        Internal: true,
        Labels: { [LABELS.sandbox]: "1" },
        Options: {
          "com.docker.network.bridge.name": bridgeName(network),
          "com.docker.network.bridge.enable_icc": "false",
        },
      })
      .catch((error: unknown) => {
        if (!String(error).includes("already exists")) throw error;
      });
  }
  await isolateBridgeFromHost(bridgeName(network), allowedHostPorts);
}

/** The network's gateway address: where sandboxes reach the host (the egress proxy). */
export async function networkGateway(docker: Docker, network: string): Promise<string> {
  const inspected = (await docker.getNetwork(network).inspect()) as {
    IPAM?: { Config?: { Gateway?: string }[] };
  };
  const address = inspected.IPAM?.Config?.find((c) => c.Gateway)?.Gateway;
  if (!address) throw new Error(`network ${network} has no gateway address`);
  return address;
}
