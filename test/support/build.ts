import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/**
 * Vitest's global setup: compile every service and the CLI (`npm run build`, a few seconds) before any test,
 * so tests that run the compiled programs (the CLI, the service images) never run a stale `dist/`.
 */
export default function setup(): void {
  const root = fileURLToPath(new URL("../..", import.meta.url));
  try {
    execFileSync("npm", ["run", "--silent", "build"], {
      cwd: root,
      stdio: "pipe",
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`npm run build failed:\n${String(stdout ?? "")}${String(stderr ?? "")}`);
    throw error;
  }
}
