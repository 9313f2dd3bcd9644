export { createGateway } from "./gateway.js";
export type { Gateway } from "./gateway.js";
export { gatewayConfigFromEnv } from "./config.js";
export type { GatewayConfig } from "./config.js";
export {
  ApiKeyRecord,
  createApiKey,
  listApiKeys,
  revokeApiKey,
  openKeyBucket,
  watchApiKeys,
} from "./keys.js";
export { ROUTES } from "./routes.js";
