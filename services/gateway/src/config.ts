import type { FeedOptions } from "./feeds.js";

export interface GatewayConfig {
  host: string;
  port: number;
  /** Keys accepted besides those in the key bucket (e.g. one `corral up` made for this run). */
  apiKeys: string[];
  feeds: FeedOptions;
  /** How long a read (or a write with an idempotency key) is retried while a service does not answer. */
  retryMs: number;
}

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
  };
}
