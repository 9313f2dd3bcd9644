export { NATS_USERS, SERVICE_USERS, isNatsUser, inboxPrefix, permissionsOf } from "./permissions.js";
export type { NatsUser, UserPermissions } from "./permissions.js";
export { ensureAuthMaterial } from "./material.js";
export type { AuthMaterial } from "./material.js";
export { renderServerConfig, usersBlock } from "./server-config.js";
export type { ServerConfigOptions } from "./server-config.js";
export { authBusConfig, authEnv } from "./client.js";
export { probePublish, probeSubscribe, probeOperation } from "./probe.js";
export type { ProbeResult } from "./probe.js";
