import { copyFileSync, mkdirSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";

/**
 * Puts the executor into the manager's state directory and returns its path there. Sandboxes get it by a
 * bind mount, whose source the Docker engine reads on its own host: where the manager itself runs in a
 * container (compose, a DaemonSet), only a directory shared with the host at the same path (the state
 * directory) is seen alike by both. Copied only when it differs, so running sandboxes keep theirs.
 */
export function installExecutor(source: string, stateDir: string): string {
  const target = join(stateDir, "corral_exec.py");
  const wanted = readFileSync(source);
  let current: Buffer | null = null;
  try {
    current = readFileSync(target);
  } catch {
    current = null;
  }
  if (!current?.equals(wanted)) {
    mkdirSync(stateDir, { recursive: true });
    copyFileSync(source, `${target}.tmp`);
    // A rename keeps a sandbox that is starting from reading a half-written file.
    renameSync(`${target}.tmp`, target);
  }
  return target;
}
