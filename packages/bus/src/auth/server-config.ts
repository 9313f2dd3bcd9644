import { SERVICE_USERS, permissionsOf, type NatsUser } from "./permissions.js";
import type { AuthMaterial } from "./material.js";

export interface ServerConfigOptions {
  host: string;
  port: number;
  storeDir: string;
  auth: AuthMaterial;
  serverName?: string;
  /** A node of a cluster: its route port and the other nodes' route URLs (routes authenticate too). */
  cluster?: { name: string; host: string; port: number; routes: string[]; password: string };
  /** Clients must speak TLS (the CA is given to clients as NATS_TLS_CA). */
  tls?: { certFile: string; keyFile: string };
  logFile?: string;
}

function permissionBlock(user: NatsUser) {
  const { publish, subscribe } = permissionsOf(user);
  // Replies to requests a user received (RPC answers, acks of delivered JetStream messages) are allowed
  // by the server for that one reply, never as a standing right to publish on inboxes.
  return { publish: { allow: publish }, subscribe: { allow: subscribe }, allow_responses: true };
}

/** The `authorization.users` of a server config: every user with its permissions (public keys and a hash only). */
export function usersBlock(auth: AuthMaterial) {
  return [
    ...SERVICE_USERS.map((user) => ({ nkey: auth.publicKeys[user], permissions: permissionBlock(user) })),
    { user: "tasks", password: auth.tasksPasswordHash, permissions: permissionBlock("tasks") },
  ];
}

/**
 * A nats-server config (JSON is valid NATS config) with JetStream, one user per service with its
 * permissions, the task publisher's user, and optionally cluster routes and TLS. No anonymous access.
 */
export function renderServerConfig(options: ServerConfigOptions): string {
  const config: Record<string, unknown> = {
    host: options.host,
    port: options.port,
    jetstream: { store_dir: options.storeDir },
    authorization: { users: usersBlock(options.auth) },
  };
  if (options.serverName) config.server_name = options.serverName;
  if (options.logFile) config.log_file = options.logFile;
  if (options.cluster) {
    const { name, host, port, routes, password } = options.cluster;
    config.cluster = { name, host, port, routes, authorization: { user: "route", password } };
  }
  if (options.tls) config.tls = { cert_file: options.tls.certFile, key_file: options.tls.keyFile };
  return JSON.stringify(config, null, 2) + "\n";
}
