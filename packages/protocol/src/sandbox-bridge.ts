/**
 * Sandbox networks' Linux bridges are named with this prefix (by the sandbox-manager); the egress proxy
 * listens on their addresses, the only place sandboxes reach it.
 */
export const SANDBOX_BRIDGE_PREFIX = "csb-";
