export { createGateway } from "./gateway.js";
export type { Gateway } from "./gateway.js";
export { gatewayConfigFromEnv } from "./config.js";
export type { GatewayConfig } from "./config.js";
export { ApiKeyRecord, createApiKey, listApiKeys, revokeApiKey, openKeyBucket } from "./api-keys.js";
export type { KeyBucket } from "./api-keys.js";
export { watchApiKeys } from "./key-check.js";
export type { KeyCheck } from "./key-check.js";
export { ROUTES } from "./routes/index.js";
