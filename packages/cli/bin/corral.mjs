#!/usr/bin/env node
// Runs the compiled CLI (packages/cli/dist, built by `npm run build`) in this same process, so a signal sent
// to `corral` reaches the CLI itself; the services it starts then run compiled too. With no build, or with
// CORRAL_FROM_SOURCE=1, the TypeScript sources run through tsx instead (and so do the services).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
process.chdir(root);
const compiled = join(root, "packages/cli/dist/main.mjs");
if (process.env.CORRAL_FROM_SOURCE !== "1" && existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(root, "packages/cli/src/main.ts")).href);
}
