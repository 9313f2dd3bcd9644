/** How the gateway keeps uploaded files. */
export interface FileOptions {
  /** The largest file an upload may store; a larger one is refused with 413 and nothing is kept. */
  maxBytes: number;
  /** How often expired files and orphaned bytes are removed. */
  sweepMs: number;
  /** How old bytes without a record must be before the sweep removes them (an upload in flight has none yet). */
  orphanGraceMs: number;
  /** The clock expiry is judged by (tests move it; the service uses `Date.now`). */
  now?: () => number;
}

export const MAX_FILE_BYTES_CEILING = 2 * 1024 * 1024 * 1024;

export const DEFAULT_FILE_OPTIONS: FileOptions = {
  maxBytes: 100 * 1024 * 1024,
  sweepMs: 60_000,
  orphanGraceMs: 15 * 60_000,
};

/** An integer setting within [min, max]; anything else stops the start with the setting's name. */
function bounded(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

export function fileOptionsFromEnv(env: NodeJS.ProcessEnv): FileOptions {
  const d = DEFAULT_FILE_OPTIONS;
  return {
    maxBytes: bounded(env, "GATEWAY_MAX_FILE_BYTES", d.maxBytes, 1, MAX_FILE_BYTES_CEILING),
    sweepMs: bounded(env, "GATEWAY_FILE_SWEEP_MS", d.sweepMs, 100, 24 * 3600_000),
    orphanGraceMs: bounded(env, "GATEWAY_FILE_ORPHAN_GRACE_MS", d.orphanGraceMs, 60_000, 7 * 24 * 3600_000),
  };
}
