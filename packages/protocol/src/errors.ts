import { z } from "zod";

export const ErrorCode = z.enum([
  "INVALID_REQUEST",
  "NOT_FOUND",
  "CONFLICT",
  "ALREADY_EXISTS",
  "PAYLOAD_TOO_LARGE",
  "FORBIDDEN",
  "UNAUTHENTICATED",
  "ARCHIVED",
  "SANDBOX_LOST",
  "TOOL_OUTCOME_UNKNOWN",
  "MCP_CONNECTION_FAILED",
  "MCP_AUTHENTICATION_FAILED",
  "UNAVAILABLE",
  "TIMEOUT",
  "INTERNAL",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RpcError = z.object({
  code: ErrorCode,
  message: z.string(),
  retryable: z.boolean(),
});
export type RpcError = z.infer<typeof RpcError>;

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["CONFLICT", "UNAVAILABLE", "TIMEOUT"]);

/** The one error type services throw; `bus` turns it into a typed reply and back. */
export class CorralError extends Error {
  override readonly name = "CorralError";
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryable?: boolean }) {
    super(message, { cause: options?.cause });
    this.code = code;
    this.retryable = options?.retryable ?? RETRYABLE.has(code);
  }

  toJSON(): RpcError {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }

  static from(error: RpcError): CorralError {
    return new CorralError(error.code, error.message, { retryable: error.retryable });
  }
}

export function isCorralError(error: unknown, code?: ErrorCode): error is CorralError {
  return error instanceof CorralError && (code === undefined || error.code === code);
}

/** Turns a zod failure into a message a caller can act on: the first issues with their paths. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
