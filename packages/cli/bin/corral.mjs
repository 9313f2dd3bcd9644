#!/usr/bin/env node
// Runs the TypeScript CLI through tsx in this same process, so no build step stands between a change and
// `corral`, and a signal sent to `corral` reaches the CLI itself (no wrapper process in between).
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
process.chdir(root);
register();
await import(pathToFileURL(join(root, "packages/cli/src/main.ts")).href);
