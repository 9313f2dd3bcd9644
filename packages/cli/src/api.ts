import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";

/** Where the CLI finds Corral: `CORRAL_URL` and `CORRAL_API_KEY`, else the local stack `corral up` runs. */
export interface ApiTarget {
  url: string;
  key: string;
}

export const DEFAULT_URL = "http://127.0.0.1:8420";
export const keyFile = (root: string) => join(root, ".corral", "api-key");

export function apiTarget(root: string, env: NodeJS.ProcessEnv = process.env): ApiTarget {
  const file = keyFile(root);
  const key = env.CORRAL_API_KEY ?? (existsSync(file) ? readFileSync(file, "utf8").trim() : "");
  return { url: env.CORRAL_URL ?? DEFAULT_URL, key };
}

/** The CLI is a client of Corral's HTTP API like any other: the official SDK pointed at the gateway. */
export function apiClient(target: ApiTarget): Anthropic {
  return new Anthropic({
    apiKey: target.key || "missing",
    baseURL: target.url,
    maxRetries: 2,
    timeout: 60_000,
  });
}

/** A sentence a person can act on for the failures a CLI user meets. */
export function explain(error: unknown, target: ApiTarget): string {
  if (error instanceof Anthropic.APIConnectionError)
    return `Corral is not running at ${target.url}. Start it with: npm start`;
  if (error instanceof Anthropic.AuthenticationError) {
    return target.key
      ? "The API key was refused. Create one with: corral keys create"
      : "No API key: set CORRAL_API_KEY, or run `corral up` here (it writes .corral/api-key).";
  }
  if (error instanceof Anthropic.APIError)
    return `${error.status ?? ""} ${(error.error as { error?: { message?: string } } | undefined)?.error?.message ?? error.message}`.trim();
  return error instanceof Error ? error.message : String(error);
}
