import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/** Paths that may carry a secret anywhere in a log line; pino replaces them before serialising. */
export const REDACT_PATHS = [
  "secret",
  "token",
  "password",
  "pass",
  "authorization",
  "api_key",
  "apiKey",
  "access_token",
  "refresh_token",
  "secret_value",
  "client_secret",
  "*.secret",
  "*.token",
  "*.password",
  "*.authorization",
  "*.api_key",
  "*.access_token",
  "*.refresh_token",
  "*.secret_value",
  "*.client_secret",
  "headers.authorization",
  "headers.x-api-key",
];

export interface LoggerConfig {
  service: string;
  level?: string;
  destination?: NodeJS.WritableStream;
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    name: config.service,
    level: config.level ?? "info",
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    base: { service: config.service, pid: process.pid },
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
