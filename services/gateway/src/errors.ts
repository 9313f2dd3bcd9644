import { randomBytes } from "node:crypto";
import { CorralError, type ErrorCode } from "@corral/protocol";
import { apiErrorDetail } from "./routes/memory-refusal.js";

/** The Messages/Managed Agents API's error types. */
export type ApiErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error"
  | "memory_path_conflict_error"
  | "memory_precondition_failed_error"
  | "conflict_error";

const STATUS: Record<ErrorCode, [number, ApiErrorType]> = {
  INVALID_REQUEST: [400, "invalid_request_error"],
  ARCHIVED: [400, "invalid_request_error"],
  UNAUTHENTICATED: [401, "authentication_error"],
  FORBIDDEN: [403, "permission_error"],
  NOT_FOUND: [404, "not_found_error"],
  CONFLICT: [409, "invalid_request_error"],
  ALREADY_EXISTS: [409, "invalid_request_error"],
  PAYLOAD_TOO_LARGE: [413, "request_too_large"],
  SANDBOX_LOST: [500, "api_error"],
  TOOL_OUTCOME_UNKNOWN: [500, "api_error"],
  MCP_CONNECTION_FAILED: [502, "api_error"],
  MCP_AUTHENTICATION_FAILED: [502, "api_error"],
  INTERNAL: [500, "api_error"],
  UNAVAILABLE: [503, "overloaded_error"],
  TIMEOUT: [504, "api_error"],
};

export interface ApiErrorBody {
  type: "error";
  error: { type: ApiErrorType; message: string; conflicting_path?: string; conflicting_memory_id?: string };
  request_id: string;
}

export const newRequestId = () => `req_${randomBytes(12).toString("base64url")}`;

/** The HTTP status and envelope for any error a route throws; unknown errors never leak their text. */
export function toApiError(error: unknown, requestId: string): { status: number; body: ApiErrorBody } {
  if (error instanceof CorralError) {
    const [status, type] = STATUS[error.code];
    return {
      status,
      body: {
        type: "error",
        error: {
          type,
          message: status >= 500 && error.code === "INTERNAL" ? "internal error" : error.message,
          ...apiErrorDetail(error),
        },
        request_id: requestId,
      },
    };
  }
  return {
    status: 500,
    body: { type: "error", error: { type: "api_error", message: "internal error" }, request_id: requestId },
  };
}
