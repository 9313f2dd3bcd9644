#!/usr/bin/env node
// Screenshots of the web console into docs/console/ and the 10,000-event figure (time to the last event
// shown, the page's JS heap), from the browser test run against the real stack with the scripted model.
// Usage: node scripts/console-screenshots.mjs [dir]   (default docs/console; needs what `npm test` needs)
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dir = resolve(root, process.argv[2] ?? "docs/console");
const run = spawnSync("npx", ["vitest", "run", "test/console.test.ts"], {
  cwd: root,
  env: { ...process.env, CORRAL_CONSOLE_SHOTS: dir },
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
const figures = run.stdout.split("\n").filter((line) => line.includes("console: "));
for (const line of figures) console.log(line.slice(line.indexOf("console: ")));
if (run.status !== 0) process.stdout.write(run.stdout);
console.log(run.status === 0 ? `screenshots in ${dir}` : "the console test failed");
process.exit(run.status ?? 1);
