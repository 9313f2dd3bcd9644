import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** A program of another Corral package as a process to spawn: `node <args>`. */
export interface Program {
  command: string;
  args: string[];
  /** The file run, for messages. */
  file: string;
}

/**
 * Whether this CLI runs compiled (`packages/cli/dist/main.mjs`, built by `npm run build`) or from its
 * TypeScript sources (tests, and `CORRAL_FROM_SOURCE=1`). The programs it starts run the same way.
 */
export const runsCompiled = () => /\/dist\/[^/]+\.mjs$/.test(fileURLToPath(import.meta.url));

/** The Corral tree this CLI belongs to: a checkout, or `/opt/corral` in the image (no node_modules there). */
const corralRoot = () => join(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * A service's entry point (`main`, or the gateway's `keys-cli`), found in the tree beside this CLI: the CLI
 * runs services, it never imports them. Compiled: `dist/<entry>.mjs` under plain node; else `src/<entry>.ts`
 * through tsx. Null when the file is missing.
 */
export function packageProgram(service: string, entry: string, compiled = runsCompiled()): Program | null {
  const dir = join(corralRoot(), "services", service);
  const file = compiled ? join(dir, "dist", `${entry}.mjs`) : join(dir, "src", `${entry}.ts`);
  if (!existsSync(file)) return null;
  const args = compiled ? ["--enable-source-maps", file] : ["--import", "tsx", file];
  return { command: process.execPath, args, file };
}
