#!/usr/bin/env node
// A package's `build`: each entry point given (e.g. src/main.ts) bundled with its dependencies into one
// ES module under dist/ (dist/main.mjs), run by plain `node` with no loader and no node_modules beside it.
// Usage (from the package's folder, as turbo runs it): node ../../scripts/bundle.mjs src/main.ts [...]
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, extname, join } from "node:path";
import { build } from "esbuild";

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error("usage: bundle.mjs <entry.ts> [...]");
  process.exit(2);
}

// CommonJS dependencies bundled into an ES module still call require() and read __dirname.
const banner = [
  'import { createRequire as __corralRequire } from "node:module";',
  'import { fileURLToPath as __corralPath } from "node:url";',
  "const require = __corralRequire(import.meta.url);",
  "const __filename = __corralPath(import.meta.url);",
  'const __dirname = __corralPath(new URL(".", import.meta.url));',
].join("\n");

// Built aside and moved in file by file (a rename is atomic), so a process starting from dist/ meanwhile
// (another test run's stack) never finds a half-written or missing file.
const staging = `dist.${process.pid}`;
rmSync(staging, { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(entries.map((entry) => [basename(entry, extname(entry)), entry])),
  outdir: staging,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: "linked",
  banner: { js: banner },
  // Native add-ons that dockerode's SSH transport loads only if present (Corral talks to a socket).
  external: ["cpu-features", "*.node"],
  logLevel: "warning",
});
mkdirSync("dist", { recursive: true });
for (const file of readdirSync(staging)) renameSync(join(staging, file), join("dist", file));
rmSync(staging, { recursive: true, force: true });
