export { createSandboxManager } from "./sandbox-manager.js";
export type { SandboxManager } from "./sandbox-manager.js";
export { managerConfigFromEnv } from "./config.js";
export type { ManagerConfig } from "./config.js";
