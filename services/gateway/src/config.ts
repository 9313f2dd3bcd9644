import type { FeedOptions } from "./feeds.js";
import type { AuthLimits } from "./auth.js";
import type { RateLimit } from "./rate-limit.js";
import { fileOptionsFromEnv, type FileOptions } from "./files/file-options.js";

export interface GatewayConfig {
  host: string;
  port: number;
  /** Keys accepted besides those in the key bucket (e.g. one `corral up` made for this run). */
  apiKeys: string[];
  feeds: FeedOptions;
  /** How long a read (or a write with an idempotency key) is retried while a service does not answer. */
  retryMs: number;
  /** Rate limits per key and, for bad-key attempts, per client address. */
  limits?: AuthLimits;
  /** Uploaded files: the size limit, the expiry sweep (defaults: `DEFAULT_FILE_OPTIONS`). */
  files?: FileOptions;
}

/** A limit from `<NAME>_PER_SEC` and `<NAME>_BURST`; anything but a positive number stops the start. */
function limitFromEnv(env: NodeJS.ProcessEnv, name: string, fallback: RateLimit): RateLimit {
  const read = (suffix: string, fallback: number) => {
    const value = Number(env[`${name}_${suffix}`] ?? fallback);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}_${suffix} must be a positive number`);
    return value;
  };
  return { perSecond: read("PER_SEC", fallback.perSecond), burst: read("BURST", fallback.burst) };
}

export const DEFAULT_LIMITS: AuthLimits = {
  perKey: { perSecond: 1000, burst: 2000 },
  badKey: { perSecond: 5, burst: 50 },
};

export const DEFAULT_RETRY_MS = 30_000;

export function gatewayConfigFromEnv(env: NodeJS.ProcessEnv): GatewayConfig {
  return {
    host: env.GATEWAY_HOST ?? "127.0.0.1",
    port: Number(env.GATEWAY_PORT ?? 8420),
    apiKeys: (env.CORRAL_API_KEY ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    feeds: {
      bufferEvents: Number(env.GATEWAY_FEED_BUFFER ?? 1024),
      maxBufferedBytes: Number(env.GATEWAY_MAX_BUFFERED_BYTES ?? 8 * 1024 * 1024),
      heartbeatMs: Number(env.GATEWAY_HEARTBEAT_MS ?? 15_000),
    },
    retryMs: Number(env.GATEWAY_RETRY_MS ?? DEFAULT_RETRY_MS),
    limits: {
      perKey: limitFromEnv(env, "GATEWAY_KEY_RATE", DEFAULT_LIMITS.perKey),
      badKey: limitFromEnv(env, "GATEWAY_BAD_KEY_RATE", DEFAULT_LIMITS.badKey),
    },
    files: fileOptionsFromEnv(env),
  };
}
