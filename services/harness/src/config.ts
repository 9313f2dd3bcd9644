import { hostname } from "node:os";
import type { RunnerConfig } from "./runner.js";

export interface HarnessConfig extends RunnerConfig {
  replicaName: string;
  /** Sessions one replica runs at once. */
  concurrency: number;
  /** A dead replica's sessions move to another after about this long. */
  leaseTtlMs: number;
  /** Delay before a wake for a session leased elsewhere is tried again. */
  busyRetryMs: number;
  /** `full`, or `compacting` (summarise once the context passes `compactAtTokens`). */
  contextStrategy: "full" | "compacting";
  compactAtTokens: number;
}

const num = (value: string | undefined, fallback: number) =>
  value === undefined || value === "" ? fallback : Number(value);

export function harnessConfigFromEnv(env: NodeJS.ProcessEnv): HarnessConfig {
  return {
    replicaName: env.HARNESS_NAME ?? hostname(),
    concurrency: num(env.HARNESS_CONCURRENCY, 64),
    leaseTtlMs: num(env.HARNESS_LEASE_TTL_MS, 5000),
    busyRetryMs: num(env.HARNESS_BUSY_RETRY_MS, 250),
    maxTokens: num(env.MODEL_MAX_TOKENS, 8192),
    maxModelAttempts: num(env.MODEL_MAX_ATTEMPTS, 4),
    retryBaseMs: num(env.MODEL_RETRY_BASE_MS, 1000),
    coupled: env.HARNESS_COUPLED === "1",
    contextStrategy: env.CONTEXT_STRATEGY === "compacting" ? "compacting" : "full",
    compactAtTokens: num(env.COMPACT_AT_TOKENS, 150_000),
  };
}
