export { createSessionStore } from "./session-store.js";
export type { SessionStoreService } from "./session-store.js";
export { storeConfigFromEnv } from "./config.js";
export type { StoreConfig } from "./config.js";
