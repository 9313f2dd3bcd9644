export { createHarness } from "./harness.js";
export type { Harness } from "./harness.js";
export { harnessConfigFromEnv } from "./config.js";
export type { HarnessConfig } from "./config.js";
